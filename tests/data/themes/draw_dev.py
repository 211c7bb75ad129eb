"""Draw the 60 dev rows of dev.tsv (issue #10 follow-up): real items not in labels.tsv, 30 from
the 2023-12-01 sitemap items and 10 from each of the CNBC, Guardian and Reuters files,
seed 20261209. Labelled by README.md's rule before the detector was run on them.

    .venv/bin/python tests/data/themes/draw_dev.py   # prints key, title, summary
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from typing import Any


def _draw_module() -> Any:
    """The labelled set's own reader (draw.py beside this file)."""
    spec = importlib.util.spec_from_file_location(
        "themes_draw", Path(__file__).with_name("draw.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SEED = 20261209
DEV_DRAWS = {
    "news_sitemap_items_2023-12-01.csv": 30,
    "cnbc_headlines.csv": 10,
    "guardian_headlines.csv": 10,
    "reuters_headlines.csv": 10,
}
LABELS = Path(__file__).resolve().parent / "labels.tsv"


def load_dev_items() -> list[tuple[str, str, str]]:
    """The dev items, in draw order: (key, title, summary)."""
    labelled = {line.split("\t")[0] for line in LABELS.read_text(encoding="utf-8").splitlines()}
    rng = random.Random(SEED)  # noqa: S311 (a sample, not crypto)
    draw = _draw_module()
    items: list[tuple[str, str, str]] = []
    for name, count in DEV_DRAWS.items():
        rows = [r for r in draw._rows(name) if r[0] not in labelled and r[1].strip()]
        items.extend(rng.sample(rows, count))
    return items


if __name__ == "__main__":
    for key, title, summary in load_dev_items():
        print("\t".join((key, " ".join(title.split()), " ".join(summary.split())[:250])))
