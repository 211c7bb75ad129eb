"""Run the price sanity screen (market.sanity) over every CSV under ../shared/data/prices and
print what it flags, with the time one 440-day screen takes (the technicals stage's overhead).

    .venv/bin/python scripts/price_sanity_scan.py
"""

from __future__ import annotations

# ruff: noqa: T201 (a script: it prints)
import sys
import time
from pathlib import Path

from tapewire.errors import BadInputError
from tapewire.market.providers import parse_csv_bars
from tapewire.market.queries import BarView
from tapewire.market.sanity import screen

PRICES = Path(__file__).resolve().parents[2] / "shared" / "data" / "prices"


def load(path: Path) -> list[BarView]:
    return [
        BarView(b.bar_date, b.open, b.high, b.low, b.close, b.volume)
        for b in parse_csv_bars(path.read_bytes()).bars
    ]


def main() -> int:
    if not PRICES.is_dir():
        print(f"no price data at {PRICES}", file=sys.stderr)
        return 1
    bench = load(PRICES / "daily_2015_to_2026-02-27_normalized" / "^GSPC.csv")
    bars_total = series = 0
    kinds = {"split": 0, "tick": 0}
    for path in sorted(PRICES.glob("*/*.csv")):
        if path.stem == "^VIX":  # the technicals stage does not screen the VIX (market.vix_symbol)
            continue
        try:
            bars = load(path)
        except BadInputError:
            continue
        series += 1
        bars_total += len(bars)
        for day, reason in screen(bars, bench=bench).flags.items():
            kinds["split" if " split" in reason else "tick"] += 1
            print(f"{path.parent.name}/{path.name} {day} {reason}")
    window = load(PRICES / "daily_2015_to_2026-02-27_normalized" / "AAPL.csv")[-300:]
    runs = 200
    started = time.perf_counter()
    for _ in range(runs):
        screen(window, bench=bench[-300:])
    per = (time.perf_counter() - started) / runs * 1000
    print(
        f"{series} series, {bars_total} bars: {kinds['split']} suspected splits, "
        f"{kinds['tick']} suspected ticks; one 300-bar screen {per:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
