"""Entity linking quality and speed: tapewire's linker vs the one it replaced (issue #10).

Quality: pair-level precision and recall ((item, instrument) pairs) on the 440 hand-labelled
real items of tests/data/linking, on the tuning half and on the held-out half, for links the
store keeps (relevance ≥ STORE_THRESHOLD; the old linker stored every link). The universe is
the S&P 500 constituents plus the market instruments (README.md beside the labels).
Speed: items/s over the labelled items' title + summary (best of ``RUNS``, one core), both
linkers compiled for the same universe.

    .venv/bin/python bench/linking/run.py [--errors [--held-out | --dev]]
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "linking"))

import old_linker  # noqa: E402
from tests.enrich.linking_set import LabelledItem, halves, load_labelled, score, universe  # noqa: E402

from tapewire.enrich import entities  # noqa: E402

RUNS = 5
DEV = ROOT / "tests" / "data" / "linking" / "dev.tsv"
Predict = Callable[[LabelledItem], set[str]]


def new_predictor(symbols: list[str]) -> Predict:
    linker = entities.compile_aliases((k, s, ()) for k, s in enumerate(symbols))

    def predict(item: LabelledItem) -> set[str]:
        links = entities.find_links(item.title, item.summary, linker)
        return {symbols[x.instrument_id] for x in links if x.relevance >= entities.STORE_THRESHOLD}

    return predict


def old_predictor(symbols: list[str]) -> Predict:
    aliases = old_linker.compile_aliases((k, s, ()) for k, s in enumerate(symbols))

    def predict(item: LabelledItem) -> set[str]:
        return {
            symbols[x.instrument_id]
            for x in old_linker.find_links(item.title, item.summary, aliases)
        }

    return predict


def speed(predict: Predict, items: list[LabelledItem]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        for item in items:
            predict(item)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


MARKET = ["^GSPC", "^DJI", "^IXIC", "^RUT", "CL=F", "GC=F", "DX-Y.NYB", "^TNX", "BTC-USD"]


def sitemap_counts(symbols: list[str]) -> None:
    """Unlabelled: how many of the 2,637 items of the 2023-12-01 sitemaps each linker links to
    the market instruments, and how many items get any link (a coverage view, not a score)."""
    path = ROOT.parent / "shared" / "data" / "news" / "news_sitemap_items_2023-12-01.csv"
    with path.open(encoding="utf-8") as handle:
        rows = [(r["title"], r["summary"]) for r in csv.DictReader(handle)]
    for name, make in (("new", new_predictor), ("old", old_predictor)):
        predict = make(symbols)
        found = [predict(LabelledItem(0, "", t, s, frozenset())) for t, s in rows]
        per = {m: sum(m in f for f in found) for m in MARKET}
        print(
            f"{name:>3} on the 2023-12-01 sitemaps ({len(rows)} items): {sum(bool(f) for f in found)}"
            f" items linked; market instruments: " + ", ".join(f"{m} {n}" for m, n in per.items())
        )


def main(argv: list[str]) -> int:
    items = load_labelled()
    symbols = universe()
    tuning, held_out = halves(items)
    print(
        f"labelled items: {len(items)} (tuning {len(tuning)}, held out {len(held_out)}); "
        f"labelled pairs: tuning {sum(len(i.gold) for i in tuning)}, "
        f"held out {sum(len(i.gold) for i in held_out)}; universe {len(symbols)} instruments"
    )
    dev = load_labelled(DEV)
    print(f"dev rows (fresh draw, labelled before the linker ran on them; used once to drop a rule): {len(dev)} items, "
          f"{sum(len(i.gold) for i in dev)} pairs")  # fmt: skip
    rates = {}
    for name, make in (("new", new_predictor), ("old", old_predictor)):
        predict = make(symbols)
        predicted = {i.key: predict(i) for i in items + dev}
        for half, subset in (("tuning", tuning), ("held-out", held_out), ("dev", dev)):
            s = score(subset, predicted)
            print(
                f"{name:>3} {half:>8}: precision {s.precision:.3f} recall {s.recall:.3f} "
                f"(tp {s.tp}, fp {s.fp}, fn {s.fn})"
            )
        rates[name] = speed(predict, items)
        if "--errors" in argv and name == "new":
            shown = held_out if "--held-out" in argv else dev if "--dev" in argv else tuning
            for i in shown:
                got = predicted[i.key]
                if got != i.gold:
                    print(
                        f"  [{i.position}] gold {sorted(i.gold)} got {sorted(got)}: {i.title} || {i.summary[:160]}"
                    )
    sitemap_counts(symbols)
    print(
        f"speed: new {rates['new']:,.0f} items/s, old {rates['old']:,.0f} items/s "
        f"(new/old {rates['new'] / rates['old']:.1f}x), best of {RUNS}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
