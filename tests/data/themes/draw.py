"""Draw the items of the themes labelled set (the procedure in README.md).

Prints TSV rows (key, title, summary) of 240 real items drawn uniformly with a fixed seed: 150
from the 2023-12-01 news sitemaps (``news/news_sitemap_items_2023-12-01.csv``, the items of
``feeds/news_sitemaps_2023-12-01_mangled``) and 30 each from the CNBC, Guardian and Reuters
headline files of ``news/headlines_2017_2020``. A key names an item by file and row, so the
texts stay in ``../shared/data`` (never copied into the project); ``bench/themes/run.py`` reads
them back with :func:`load_items`. A person read each drawn item and wrote its themes in
``labels.tsv`` before the patterns of ``tapewire.enrich.themes`` were tuned.

    .venv/bin/python tests/data/themes/draw.py > /tmp/theme_items.tsv
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEWS = HERE.parents[3] / "shared" / "data" / "news"
SEED = 20231210
SITEMAP = "news_sitemap_items_2023-12-01.csv"
HEADLINES = ("cnbc_headlines.csv", "guardian_headlines.csv", "reuters_headlines.csv")
DRAWS = {SITEMAP: 150, **dict.fromkeys(HEADLINES, 30)}
RARE_WORDS = (
    " gold",
    "bitcoin",
    "crypto",
    " chip",
    "semiconductor",
    " ipo",
    "debut",
    " fed",
    "tariff",
)
RARE_PER_WORD = 6


def _rows(name: str) -> list[tuple[str, str, str]]:
    """(key, title, summary) of every non-blank row of one file, in file order."""
    if name == SITEMAP:
        with (NEWS / name).open(encoding="utf-8", newline="") as fh:
            return [
                (f"{name}:{n}", r["title"].strip(), r["summary"].strip())
                for n, r in enumerate(csv.DictReader(fh), start=1)
                if r["title"].strip()
            ]
    path = NEWS / "headlines_2017_2020" / name
    encoding = "cp1252" if name.startswith("guardian") else "utf-8"
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        return [
            (f"{name}:{n}", r["Headlines"].strip(), (r.get("Description") or "").strip())
            for n, r in enumerate(csv.DictReader(fh), start=1)
            if (r.get("Headlines") or "").strip()
        ]


def load_items() -> list[tuple[str, str, str]]:
    """The drawn items, in draw order: (key, title, summary)."""
    rng = random.Random(SEED)  # noqa: S311 (a sample, not crypto)
    items: list[tuple[str, str, str]] = []
    pool: list[tuple[str, str, str]] = []
    for name, count in DRAWS.items():
        rows = _rows(name)
        pool.extend(rows)
        items.extend(rng.sample(rows, count))
    drawn = {key for key, _, _ in items}
    for word in RARE_WORDS:  # the rare-topic stratum: a plain word test, not tapewire's patterns
        hits = [r for r in pool if r[0] not in drawn and word in f" {r[1]} {r[2]} ".lower()]
        picked = rng.sample(hits, min(RARE_PER_WORD, len(hits)))
        drawn |= {key for key, _, _ in picked}
        items.extend(picked)
    return items


def _flat(text: str) -> str:
    return " ".join(text.split())


def main() -> None:
    for key, title, summary in load_items():
        print("\t".join((key, _flat(title), _flat(summary)[:300])))


if __name__ == "__main__":
    main()
