"""Indicator throughput, tapewire vs TA-Lib, in one run.

Seeded random-walk daily bars (OHLC) for 5,000 instruments x 2,000 bars. tapewire computes the
whole batch with ``compute_indicator_set`` (one call, numpy, walked in blocks of bars across
all instruments); TA-Lib computes the same series instrument by instrument, its usual use.
Each side gets the layout it reads best, built before timing: TA-Lib one contiguous array per
instrument, tapewire a Fortran-ordered (instruments, bars) batch (one contiguous bar of every
instrument); the cost of transposing a C-ordered batch is printed too. Both are single-threaded.

Workloads (best of --repeat; wall and CPU seconds, CPU being steadier on a shared machine):
  A. TA-Lib's 11 series (SMA 50/200, EMA 20, RSI 14, MACD x3, ATR 14, BBANDS x3), full length,
     every array kept. Goal (issue #4): tapewire >= 0.8x TA-Lib's speed.
  B. The same 11, last bar only (what the technicals stage stores per instrument).
  C. All 17 series: the 11 plus realized vol, its one-year percentile, drawdown, 20/60-day
     returns, return z. TA-Lib side: its STDDEV, ROCR and MAX where it has them; it has no
     rolling percentile, so that series is tapewire's alone (its share is printed).
  D. C at the last bar plus key levels (technicals.levels.find_levels) per instrument on its
     last 300 bars (what the stage reads): both sides pay the same levels time.

    .venv/bin/python bench/indicators/run.py [--instruments 5000] [--bars 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import talib

from tapewire.technicals.indicator_set import ALL_NAMES, TALIB_NAMES, compute_indicator_set
from tapewire.technicals.levels import LevelBar, find_levels

LEVEL_BARS = 300  # bars per instrument handed to find_levels (~440 calendar days)
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def simulate(n_inst: int, n_bars: int, seed: int = 20260401) -> Arrays:
    """(high, low, close) as time-major (bars, instruments) arrays: random walks, ~1.5%/day."""
    rng = np.random.default_rng(seed)
    drift = rng.normal(0.0002, 0.0004, n_inst)
    vol = rng.uniform(0.006, 0.03, n_inst)
    close = rng.uniform(5.0, 500.0, n_inst) * np.exp(
        np.cumsum(drift + vol * rng.standard_normal((n_bars, n_inst)), axis=0)
    )
    spread = np.abs(rng.standard_normal((2, n_bars, n_inst))) * vol * 0.5
    return close * (1 + spread[0]), close * (1 - spread[1]), close


def talib_core(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> list[np.ndarray]:
    return [
        talib.SMA(c, 50),
        talib.SMA(c, 200),
        talib.EMA(c, 20),
        talib.RSI(c, 14),
        *talib.MACD(c, 12, 26, 9),
        talib.ATR(h, lo, c, 14),
        *talib.BBANDS(c, 20, 2.0, 2.0, 0),
    ]


def talib_extras(h: np.ndarray, c: np.ndarray) -> list[np.ndarray]:
    log_ret = np.empty_like(c)
    log_ret[0] = np.nan
    np.log(c[1:] / c[:-1], out=log_ret[1:])
    ret20 = talib.ROCR(c, 20) - 1.0
    return [
        talib.STDDEV(log_ret, 20, 1.0) * (math.sqrt(252) * 100.0),
        (1.0 - c / talib.MAX(h, 252)) * 100.0,
        ret20 * 100.0,
        (talib.ROCR(c, 60) - 1.0) * 100.0,
        ret20 / talib.STDDEV(ret20, 252, 1.0),
    ]


def level_bars(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> list[LevelBar]:
    start = date(2020, 1, 1)
    n = len(c)
    return [
        LevelBar(start + timedelta(days=i), float(h[i]), float(lo[i]), float(c[i]))
        for i in range(n - LEVEL_BARS, n)
    ]


def levels_for(rows: Arrays, last: dict[str, np.ndarray]) -> int:
    """find_levels on every instrument (rows: per-instrument contiguous arrays)."""
    found = 0
    for j in range(rows[2].shape[0]):
        bars = level_bars(rows[0][j], rows[1][j], rows[2][j])
        atr, sma50, sma200 = (float(last[k][j]) for k in ("atr14", "sma50", "sma200"))
        found += len(find_levels(bars, atr=atr, sma50=sma50, sma200=sma200))
    return found


Timing = tuple[float, float, float]  # best wall, best CPU, first run's wall (cold memory)


def best(fn: Callable[[], Any], repeat: int) -> Timing:
    """The best of ``repeat`` runs (wall, CPU) and the first run's wall; each run's result is
    kept until its timer stops, then dropped."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        del result
    return min(walls), min(cpus), walls[0]


def report(label: str, n: int, ours: Timing, theirs: Timing) -> None:
    print(label)
    for who, (wall, cpu, first) in (("tapewire", ours), ("TA-Lib  ", theirs)):
        print(
            f"  {who}: {n:,} instruments in {wall:6.3f} s wall ({n / wall:>7,.0f}/s),"
            f" {cpu:6.3f} s CPU; first run {first:6.3f} s wall"
        )
    print(
        f"  tapewire/TA-Lib speed: {theirs[0] / ours[0]:.2f}x wall, {theirs[1] / ours[1]:.2f}x CPU,"
        f" {theirs[2] / ours[2]:.2f}x first run"
    )


def warm_memory(n_bytes: int) -> None:
    """Touch and free about as much memory as one workload writes. On a virtual machine the
    first touch of memory the guest never used can cost far more than the computation (about
    5 s for 800 MB measured here); whichever side ran first would pay it for both."""
    block = np.ones(n_bytes // 8)
    del block


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instruments", type=int, default=5000)
    parser.add_argument("--bars", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, rep = args.instruments, args.repeat
    tm = simulate(n, args.bars)
    batch = tuple(x.T for x in tm)  # (instruments, bars), Fortran-ordered: tapewire's layout
    rows = tuple(np.ascontiguousarray(x) for x in batch)  # one contiguous row each: TA-Lib's
    print(f"{n:,} instruments x {args.bars:,} bars (seeded random walks); best of {rep}")
    warm_memory(2 * 17 * 8 * n * args.bars)  # two sides' worth of the 17 full-length series
    wall, cpu, _ = best(lambda: [np.ascontiguousarray(x.T) for x in rows], rep)
    print(f"(transposing a C-ordered batch for tapewire, once: {wall:.3f} s wall, {cpu:.3f} s CPU)")

    def ta_rows(fn: Callable[[int], list[np.ndarray]], tail: int | None) -> list[Any]:
        out = []
        for j in range(n):
            series = fn(j)
            out.append(series if tail is None else [s[-tail:] for s in series])
        return out

    core = lambda j: talib_core(rows[0][j], rows[1][j], rows[2][j])  # noqa: E731
    full = lambda j: core(j) + talib_extras(rows[0][j], rows[2][j])  # noqa: E731
    ours_a = best(lambda: compute_indicator_set(*batch, names=TALIB_NAMES), rep)
    report(
        "A. TA-Lib's 11 series, full length kept", n, ours_a, best(lambda: ta_rows(core, None), rep)
    )
    ours_b = best(lambda: compute_indicator_set(*batch, names=TALIB_NAMES, tail=1), rep)
    report("B. the 11 series, last bar only", n, ours_b, best(lambda: ta_rows(core, 1), rep))
    ours_c = best(lambda: compute_indicator_set(*batch), rep)
    no_pct = [name for name in ALL_NAMES if name != "realized_vol_pctile"]
    without = best(lambda: compute_indicator_set(*batch, names=no_pct), rep)
    report("C. all 17 series, full length kept", n, ours_c, best(lambda: ta_rows(full, None), rep))
    print(
        f"  (tapewire without the percentile, which TA-Lib lacks: {without[0]:.3f} s wall, {without[1]:.3f} s CPU)"
    )

    def ours_levels() -> int:
        last = {k: v[:, -1] for k, v in compute_indicator_set(*batch, tail=1).items()}
        return levels_for(rows, last)

    def theirs_levels() -> int:
        series = ta_rows(full, 1)
        last = {
            name: np.array([s[i][-1] for s in series])
            for i, name in enumerate(
                ("sma50", "sma200", "ema20", "rsi14", "macd", "macd_signal", "macd_hist", "atr14")
            )
        }
        return levels_for(rows, last)

    report(
        "D. all series at the last bar + key levels",
        n,
        best(ours_levels, rep),
        best(theirs_levels, rep),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
