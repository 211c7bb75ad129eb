"""Per-call time, backtest vs the day-by-day path, on SPY over one year (twice): quick speed check.

.venv/bin/python bench/scorecard/per_call.py
"""

import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as b

from tapewire.scorecard.backtest import backtest_calls

u = b.universe({"SPY": b.GRADED["SPY"], "^GSPC": b.GRADED["^GSPC"]})
print("load", os.getloadavg()[0])
for _ in range(2):
    t = time.process_time()
    calls = backtest_calls(u.by_symbol["SPY"], u, start=date(2025, 2, 21), end=date(2026, 2, 20))
    bt = (time.process_time() - t) / len(calls)
    t = time.process_time()
    base = b.day_by_day_seconds_per_call(len(calls))
    print(
        f"calls {len(calls)} backtest {bt * 1000:.2f} ms/call CPU, day-by-day "
        f"{base * 1000:.2f} ms/call (wall), ratio {base / bt:.2f}x"
    )
print("load", os.getloadavg()[0])
