"""Theme detection: precision and recall on the hand-labelled real items, and speed.

The labelled set (``tests/data/themes/``: 285 real items from ``../shared/data/news``, labelled
before the patterns were tuned, README there) is scored per half: ``tune`` (the patterns were
adjusted while reading its errors) and ``heldout`` (only ever scored). Micro precision and recall
count (item, theme) pairs; the per-theme table is over both halves. The field's baseline is
a plain keyword test (the theme's name and an obvious word or two, substring, no negative cues)
as a newsroom would first write it; it runs on the same items in the same run.

    .venv/bin/python bench/themes/run.py [--errors]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "data" / "themes"))

from draw import load_items  # noqa: E402
from draw_dev import load_dev_items  # noqa: E402

from tapewire.enrich.themes import THEMES, find_themes  # noqa: E402

LABELS = ROOT / "tests" / "data" / "themes" / "labels.tsv"
DEV = ROOT / "tests" / "data" / "themes" / "dev.tsv"  # fresh rows, labelled before any run
BASELINE = {  # the first thing anyone writes: substring keywords, no boundaries or negatives
    "oil": ("oil", "crude", "opec"),
    "gold": ("gold",),
    "rates": ("fed", "interest rate", "yield"),
    "inflation": ("inflation", "cpi"),
    "jobs": ("jobs", "unemployment", "payroll"),
    "trade": ("tariff", "trade"),
    "geopolitics": ("war", "military", "sanction"),
    "ai": (" ai ", "artificial intelligence"),
    "chips": ("chip", "semiconductor"),
    "crypto": ("crypto", "bitcoin"),
    "earnings": ("earnings", "profit"),
    "guidance": ("guidance", "forecast", "outlook"),
    "mna": ("merger", "acqui", "takeover", "buyout"),
    "ipo": ("ipo", "debut", "listing"),
    "layoffs": ("layoff", "job cuts", "cut jobs"),
    "banks": ("bank", "credit"),
    "housing": ("housing", "mortgage", "home price"),
    "consumer": ("consumer", "retail"),
    "markets": ("stocks", "wall street", "s&p", "dow", "nasdaq"),
    "economy": ("economy", "gdp", "recession"),
}


def baseline(title: str, summary: str) -> set[str]:
    text = f" {title} {summary} ".lower()
    return {theme for theme, words in BASELINE.items() if any(w in text for w in words)}


def ours(title: str, summary: str) -> set[str]:
    return {hit.theme for hit in find_themes(title, summary)}


def load(labels: Path = LABELS) -> list[tuple[str, str, str, set[str], str]]:
    items = load_items() if labels == LABELS else load_dev_items()
    texts = {key: (title, summary) for key, title, summary in items}
    rows = []
    with labels.open(encoding="utf-8") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t"):
            labels = set() if row["themes"] == "-" else set(row["themes"].split())
            title, summary = texts[row["key"]]
            rows.append((row["key"], title, summary, labels, row["half"]))
    return rows


def score(
    rows: Iterable[tuple[str, str, str, set[str], str]],
    detect: Callable[[str, str], set[str]],
) -> tuple[float, float, Counter[str], Counter[str], Counter[str]]:
    tp, fp, fn = Counter[str](), Counter[str](), Counter[str]()
    for _, title, summary, gold, _ in rows:
        found = detect(title, summary)
        for t in found & gold:
            tp[t] += 1
        for t in found - gold:
            fp[t] += 1
        for t in gold - found:
            fn[t] += 1
    p = sum(tp.values()) / max(1, sum(tp.values()) + sum(fp.values()))
    r = sum(tp.values()) / max(1, sum(tp.values()) + sum(fn.values()))
    return p, r, tp, fp, fn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", action="store_true", help="print the tune half's errors")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help="with --errors: print the held-out half's errors instead (read only to study causes)",
    )
    parser.add_argument("--dev", action="store_true", help="with --errors: the dev rows' errors")
    args = parser.parse_args()
    rows = load()
    print(f"{len(rows)} labelled items ({LABELS.relative_to(ROOT)})")
    print(f"{'half':<9} {'items':>5} {'P ours':>7} {'R ours':>7} {'P base':>7} {'R base':>7}")
    dev = load(DEV)
    for half in ("tune", "heldout", "all", "dev"):
        part = dev if half == "dev" else [r for r in rows if half in ("all", r[4])]
        p, r, *_ = score(part, ours)
        bp, br, *_ = score(part, baseline)
        print(f"{half:<9} {len(part):>5} {p:>7.3f} {r:>7.3f} {bp:>7.3f} {br:>7.3f}")
    _, _, tp, fp, fn = score(rows, ours)
    print("\nper theme (both halves): labelled, true positives, false positives, missed")
    for theme in THEMES:
        n = tp[theme] + fn[theme]
        print(f"  {theme:<12} {n:>3} {tp[theme]:>4} {fp[theme]:>4} {fn[theme]:>4}")
    if args.errors:
        wanted = "heldout" if args.held_out else "dev" if args.dev else "tune"
        print(f"\n{wanted}-half errors:")
        for key, title, summary, gold, half in rows + dev:
            found = ours(title, summary)
            if half == wanted and found != gold:
                print(f"  {key}: {title[:90]!r} gold={sorted(gold)} found={sorted(found)}")
    texts = [(t, s) for _, t, s, _, _ in rows] * 40
    for name, fn_ in (("ours", ours), ("baseline", baseline)):
        start = time.perf_counter()
        for title, summary in texts:
            fn_(title, summary)
        rate = len(texts) / (time.perf_counter() - start)
        print(f"speed {name:<9} {rate:>10,.0f} items/s ({len(texts)} items, one core)")


if __name__ == "__main__":
    main()
