"""Draw the headlines of the labelled tone set from ../shared/data/news (seed 20261207).

Prints one line per drawn headline: ``key<TAB>title`` (the title only for the labeller: the
stored set ``headlines.tsv`` keeps keys and labels, never the shared text). Keys: the item URL
for the news-sitemap file; ``<file>#<row>`` (row = position among non-blank data rows, from 0)
for the CNBC/Reuters/Guardian files, which have no URLs.

Strata (fixed before labelling): 200 sitemap items (English titles only; at most 25 of
MarketWatch's automated "X stock rises Thursday" blurbs; the Economist's section feed is
included), 60 Reuters, 50 CNBC, 40 Guardian headlines, each uniformly at random within stratum.

    .venv/bin/python tests/data/tone/draw_headlines.py
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

NEWS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "news"
SEED = 20261207
_BLURB = re.compile(r"\bstock (?:rises|falls|outperforms|underperforms)\b|\bstock .* trading day\b")


def sitemap_rows() -> list[tuple[str, str]]:
    path = NEWS / "news_sitemap_items_2023-12-01.csv"
    with path.open(encoding="utf-8", errors="replace") as handle:
        return [(r["url"], r["title"].strip()) for r in csv.DictReader(handle)]


def headline_rows(name: str) -> list[tuple[str, str]]:
    path = NEWS / "headlines_2017_2020" / name
    with path.open(encoding="cp1252", errors="replace", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if (r.get("Headlines") or "").strip()]
    return [(f"{name}#{i}", r["Headlines"].strip()) for i, r in enumerate(rows)]


def _english(title: str) -> bool:
    return "\ufffd" not in title and not re.search(r"[áéíóúñ¿¡]", title) and len(title) > 15


def draw() -> list[tuple[str, str]]:
    rng = random.Random(SEED)  # noqa: S311 (a reproducible draw, not a secret)
    site = [(k, t) for k, t in sitemap_rows() if _english(t)]
    blurbs = [row for row in site if _BLURB.search(row[1])]
    others = [row for row in site if not _BLURB.search(row[1])]
    drawn = rng.sample(blurbs, 25) + rng.sample(others, 175)
    for name, n in (("reuters_headlines.csv", 60), ("cnbc_headlines.csv", 50)):
        drawn += rng.sample(headline_rows(name), n)
    drawn += rng.sample(headline_rows("guardian_headlines.csv"), 40)
    seen: set[str] = set()
    unique = [(k, t) for k, t in drawn if not (t in seen or seen.add(t))]  # type: ignore[func-returns-value]
    rng.shuffle(unique)
    return unique


def main() -> int:
    for key, title in draw():
        sys.stdout.write(f"{key}\t{title}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def load_labelled(split: str | None = None) -> list[tuple[str, str, str]]:
    """(key, title, label) of the labelled set (``split``: "tune", "heldout" or None for both),
    the titles read from ../shared/data/news by key; raises FileNotFoundError without it."""
    here = Path(__file__).resolve().parent
    titles = dict(sitemap_rows())
    for name in ("reuters_headlines.csv", "cnbc_headlines.csv", "guardian_headlines.csv"):
        titles.update(headline_rows(name))
    with (here / "headlines.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        (r["key"], titles[r["key"]], r["label"])
        for r in rows
        if split is None or r["split"] == split
    ]


def load_targets() -> list[dict[str, str]]:
    """The (headline, summary, symbol, names, asset_class, tone) rows of targets.tsv."""
    path = Path(__file__).resolve().parent / "targets.tsv"
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
