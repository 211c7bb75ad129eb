"""Draw the 80 dev rows of dev.tsv (issue #10 follow-up): real items not in labels.tsv, 50 from
the Reuters + CNBC headline files and 30 from the 2023-12-01 sitemap items, seed 20261208.

    .venv/bin/python tests/data/linking/draw_dev.py   # prints position, key, title || summary
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.conftest import shared_data
from tests.enrich import linking_set

SEED = 20261208


def draw() -> list[linking_set.LabelledItem]:
    items = linking_set._draw_module().load_items(shared_data("news"))
    labelled = {i.key for i in linking_set.load_labelled()}
    rng = random.Random(SEED)  # noqa: S311 (a reproducible draw, not a secret)
    headlines = [
        i for src in ("reuters", "cnbc") for i in items.get(src, []) if i.key not in labelled
    ]
    sitemap = [
        i
        for src, found in items.items()
        if src not in ("reuters", "cnbc", "guardian")
        for i in found
        if i.key not in labelled
    ]
    return rng.sample(headlines, 50) + rng.sample(sitemap, 30)


if __name__ == "__main__":
    for n, item in enumerate(draw()):
        print(f"{n}\t{item.key}\t{item.title}\t|| {item.summary[:300]}")
