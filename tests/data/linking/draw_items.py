"""Draw the items of the linking set (the procedure in README.md beside this file).

Reads the real headlines under ``../shared/data/news`` (never copied here: items are named by a
key, the text stays in the shared files) and prints, for the fixed seed, the drawn keys in
order with their title and summary so that a person can read each one and write its label.

    .venv/bin/python tests/data/linking/draw_items.py > /tmp/drawn.tsv
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass
from pathlib import Path

SEED = 20261207
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "news"
# source -> how many items to draw from it
QUOTA = {"sitemap": 270, "reuters": 80, "cnbc": 70, "guardian": 20}


@dataclass(frozen=True, slots=True)
class Item:
    key: str  # sitemap: the URL; headlines: "<outlet>#<n>", n = the n-th non-blank row
    source: str
    title: str
    summary: str


def load_items(root: Path = SHARED) -> dict[str, list[Item]]:
    """Every candidate item, by source, in file order."""
    out: dict[str, list[Item]] = {"sitemap": [], "reuters": [], "cnbc": [], "guardian": []}
    with (root / "news_sitemap_items_2023-12-01.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out["sitemap"].append(Item(row["url"], "sitemap", row["title"], row["summary"]))
    for outlet in ("reuters", "cnbc", "guardian"):
        path = root / "headlines_2017_2020" / f"{outlet}_headlines.csv"
        with path.open(encoding="cp1252", errors="replace") as handle:
            rows = [r for r in csv.DictReader(handle) if (r.get("Headlines") or "").strip()]
        for n, row in enumerate(rows):
            title = " ".join(row["Headlines"].split())
            summary = " ".join((row.get("Description") or "").split())
            out[outlet].append(Item(f"{outlet}#{n}", outlet, title, summary))
    return out


def draw(root: Path = SHARED) -> list[Item]:
    """The drawn items in a fixed order (position 0, 2, 4 ... tuning; 1, 3, 5 ... held out)."""
    rng = random.Random(SEED)  # noqa: S311 (a reproducible draw, not crypto)
    items = load_items(root)
    drawn: list[Item] = []
    for source, count in QUOTA.items():
        seen: set[str] = set()
        pool = []
        for item in items[source]:  # the first item of each title, in file order
            if item.title not in seen:
                seen.add(item.title)
                pool.append(item)
        drawn += rng.sample(pool, count)
    rng.shuffle(drawn)
    return drawn


if __name__ == "__main__":
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    for position, item in enumerate(draw()):
        out.writerow([position, item.key, item.title, item.summary[:400]])
