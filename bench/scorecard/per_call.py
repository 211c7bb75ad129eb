"""Per-call time, backtest vs the day-by-day path, on SPY over one year (twice): quick speed check.

.venv/bin/python bench/scorecard/per_call.py
"""

import os, sys, time

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from datetime import date
import run as b
from tapewire.scorecard.backtest import backtest_calls

u = b.universe({"SPY": b.GRADED["SPY"], "^GSPC": b.GRADED["^GSPC"]})
print("load", os.getloadavg()[0])
for rep in range(2):
    t = time.perf_counter()
    calls = backtest_calls(u.by_symbol["SPY"], u, start=date(2025, 2, 21), end=date(2026, 2, 20))
    bt = (time.perf_counter() - t) / len(calls)
    t = time.perf_counter()
    base = b.day_by_day_seconds_per_call(len(calls))
    print(
        f"calls {len(calls)} backtest {bt * 1000:.2f} ms/call, day-by-day {base * 1000:.2f} ms/call, ratio {base / bt:.2f}x"
    )
print("load", os.getloadavg()[0])
