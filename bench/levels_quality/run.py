"""Do prices reverse at tapewire's levels more often than at random levels the same distance away?

Walk forward over real index history (^GSPC, ^RUT, ^DJI, ^IXIC from ../shared/data/prices). As of
each sampled day t, levels are computed exactly as the technicals stage does (the last
HISTORY_BARS bars before t, ATR 14, SMA 50/200, ``find_levels``). Then, for every level, over
the next HORIZON_BARS bars:

- *touched*: price came into the band ``level ± BAND_ATR·ATR`` (a support's band is reached when
  a low is at or below its top edge, a resistance's when a high is at or above its bottom edge);
- *reversed*: within FOLLOW_BARS bars from the touch (the touch bar included), a close lands at
  least REVERSAL_ATR·ATR beyond the band on the side price came from, before any close beyond the
  band's other edge. ATR is the as-of day's 14-day ATR.

Reversal rate = reversed / touched. The baseline is random levels at the same distances: for each
(series, period, kind, side), the tapewire levels' distances from the close (in ATRs) are
shuffled across days (seeded, RANDOM_DRAWS draws), so random levels have exactly the same
distance distribution but no tie to where price turned before. Levels whose band already holds
the close are skipped (for both). Observations on nearby days overlap (the same level and touch
are seen from several as-of days), so counts overstate independent events; the 90% interval of
the ratio is a bootstrap over calendar years (whole years resampled).

Periods: as-of days in TRAIN (the parameters in ``technicals/levels.py`` were chosen there with
``--tune``) and REPORT (never tuned on). Every STEP-th trading day is an as-of day.

    .venv/bin/python bench/levels_quality/run.py            # the report (train and report rows)
    .venv/bin/python bench/levels_quality/run.py --tune     # the parameter grid, train period only
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from tapewire.market.providers.csvfile import parse_csv_bars
from tapewire.technicals.indicators import compute_atr, compute_sma
from tapewire.technicals.levels import DEFAULT_PARAMS, LevelBar, LevelParams, find_levels

PRICES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "prices"
SERIES = {
    "^GSPC": "merged_index_series/^GSPC.csv",
    "^RUT": "yahoo_long_to_2026-02/^RUT.csv",
    "^DJI": "merged_index_series/^DJI.csv",
    "^IXIC": "merged_index_series/^IXIC.csv",
}
TRAIN = (date(2001, 1, 1), date(2014, 1, 1))  # as-of days in [start, end)
REPORT = (date(2014, 1, 1), date(2100, 1, 1))
HISTORY_BARS = 280  # what the stage's 400 calendar days hold
HORIZON_BARS = 20  # bars after as_of in which a touch counts
BAND_ATR = 0.25  # the band around a level, each side
REVERSAL_ATR = 0.5  # a reversal closes this far beyond the band, on the side price came from
FOLLOW_BARS = 5  # bars from the touch in which the reversal must come
RANDOM_DRAWS = 5
SEED = 20260201
KIND_GROUPS = {
    "support/resistance": ("support", "resistance"),
    "round": ("round",),
    "sma50": ("sma50",),
    "sma200": ("sma200",),
    "high52/low52": ("high52", "low52"),
}


@dataclass(frozen=True, slots=True)
class Series:
    symbol: str
    dates: list[date]
    high: list[float]
    low: list[float]
    close: list[float]
    bars: list[LevelBar]


@dataclass(frozen=True, slots=True)
class Obs:
    """One level as of one day: where it was, and what happened after."""

    t: int  # index of the first bar after as_of
    kind: str
    side: int  # +1: below the close (price comes down to it), -1: above
    dist: float  # |close - level| in ATRs
    atr: float


@dataclass
class Tally:
    touched: int = 0
    reversed: int = 0
    seen: int = 0
    by_year: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, year: int, outcome: int) -> None:
        self.seen += 1
        if outcome:
            self.touched += 1
            self.reversed += outcome == 2
            self.by_year[year][0] += 1
            self.by_year[year][1] += outcome == 2

    @property
    def rate(self) -> float:
        return self.reversed / self.touched if self.touched else float("nan")


def load(symbol: str) -> Series:
    parsed = parse_csv_bars((PRICES / SERIES[symbol]).read_bytes(), source=symbol)
    bars = parsed.bars[:-1] if parsed.partial_last else parsed.bars  # ^RUT's intraday last row
    return Series(
        symbol,
        [b.bar_date for b in bars],
        [b.high for b in bars],
        [b.low for b in bars],
        [b.close for b in bars],
        [LevelBar(b.bar_date, b.high, b.low, b.close) for b in bars],
    )


def observe(s: Series, t: int, params: LevelParams) -> list[Obs]:
    """The levels as of bar t (bars[:t] only), as the technicals stage computes them."""
    lo = max(0, t - HISTORY_BARS)
    high = np.array(s.high[lo:t])
    low = np.array(s.low[lo:t])
    close = np.array(s.close[lo:t])
    atr = float(compute_atr(high, low, close, 14)[-1])
    if not atr > 0:
        return []
    sma50, sma200 = (float(compute_sma(close, n)[-1]) for n in (50, 200))
    levels = find_levels(
        s.bars[lo:t],
        atr=atr,
        sma50=None if np.isnan(sma50) else sma50,
        sma200=None if np.isnan(sma200) else sma200,
        params=params,
    )
    c0 = s.close[t - 1]
    out = []
    for lv in levels:
        dist = abs(c0 - lv.price) / atr
        if dist > BAND_ATR:  # a band that already holds the close is no test
            out.append(Obs(t, lv.kind, 1 if lv.price < c0 else -1, dist, atr))
    return out


def outcome(s: Series, obs: Obs, dist: float) -> int:
    """0: never touched; 1: touched, no reversal; 2: touched and reversed (module docstring)."""
    c0 = s.close[obs.t - 1]
    level = c0 - obs.side * dist * obs.atr
    near = level + obs.side * BAND_ATR * obs.atr  # the band edge facing price
    far = level - obs.side * BAND_ATR * obs.atr
    bounce = near + obs.side * REVERSAL_ATR * obs.atr
    end = min(obs.t + HORIZON_BARS, len(s.close))
    for j in range(obs.t, end):
        reached = s.low[j] <= near if obs.side > 0 else s.high[j] >= near
        if reached:
            return _after_touch(s, j, obs.side, far, bounce)
    return 0


def _after_touch(s: Series, j: int, side: int, far: float, bounce: float) -> int:
    for k in range(j, min(j + FOLLOW_BARS, len(s.close))):
        c = s.close[k] * side
        if c <= far * side:
            return 1
        if c >= bounce * side:
            return 2
    return 1


def as_of_days(s: Series, period: tuple[date, date], step: int) -> list[int]:
    last = len(s.dates) - HORIZON_BARS - FOLLOW_BARS  # every outcome window is complete
    days = [t for t in range(HISTORY_BARS, last) if period[0] <= s.dates[t] < period[1]]
    return days[::step]


def measure(
    series: Sequence[Series],
    period: tuple[date, date],
    params: LevelParams,
    step: int,
    days: Counter[str] | None = None,
) -> dict[str, tuple[Tally, Tally]]:
    """Per kind group: (tapewire, random) tallies over the period; ``days`` counts the as-of
    days and those with at least one support / resistance."""
    result = {g: (Tally(), Tally()) for g in (*KIND_GROUPS, "all")}
    rng = random.Random(SEED)  # noqa: S311 (a seeded simulation, not security)
    days = Counter() if days is None else days
    for s in series:
        obs = []
        for t in as_of_days(s, period, step):
            today = observe(s, t, params)
            days.update(["days", *{o.kind for o in today} & {"support", "resistance"}])
            obs += today
        for group, kinds in KIND_GROUPS.items():
            mine = [o for o in obs if o.kind in kinds]
            ours = [(o, outcome(s, o, o.dist)) for o in mine]
            rand = [(o, outcome(s, o, dist)) for o, dist in _shuffled(mine, rng)]
            by_index = (f"s/r {s.symbol}",) if group == "support/resistance" else ()
            for name in (group, "all", *by_index):
                tallies = result.setdefault(name, (Tally(), Tally()))
                for tally, pairs in zip(tallies, (ours, rand), strict=True):
                    for o, out in pairs:
                        tally.add(s.dates[o.t].year, out)
    return result


def _shuffled(obs: Sequence[Obs], rng: random.Random) -> Iterable[tuple[Obs, float]]:
    """RANDOM_DRAWS random levels per observation: distances shuffled within (kind, side)."""
    groups: dict[tuple[str, int], list[Obs]] = defaultdict(list)
    for o in obs:
        groups[(o.kind, o.side)].append(o)
    for members in groups.values():
        dists = [o.dist for o in members]
        for _ in range(RANDOM_DRAWS):
            rng.shuffle(dists)
            yield from zip(members, list(dists), strict=True)


def ratio_interval(ours: Tally, rand: Tally, *, n: int = 1000) -> tuple[float, float]:
    """90% interval of the rate ratio, resampling whole calendar years."""
    years = sorted(set(ours.by_year) | set(rand.by_year))
    rng = random.Random(SEED)  # noqa: S311 (a seeded simulation, not security)
    ratios = []
    for _ in range(n):
        pick = [rng.choice(years) for _ in years]
        o = [sum(ours.by_year[y][i] for y in pick) for i in (0, 1)]
        r = [sum(rand.by_year[y][i] for y in pick) for i in (0, 1)]
        if o[0] and r[0] and r[1]:
            ratios.append((o[1] / o[0]) / (r[1] / r[0]))
    ratios.sort()
    return ratios[int(0.05 * len(ratios))], ratios[int(0.95 * len(ratios)) - 1]


def print_table(name: str, result: dict[str, tuple[Tally, Tally]]) -> None:
    print(f"\n{name}")
    print(
        f"{'levels':<20} {'tapewire rate':>13} {'touched/seen':>15} {'random rate':>12} "
        f"{'touched/seen':>15} {'ratio':>6} {'90% CI (years)':>15}"
    )
    for group, (ours, rand) in result.items():
        if not ours.touched or not rand.touched:
            print(f"{group:<20} (no observations in this period)")
            continue
        lo, hi = ratio_interval(ours, rand)
        print(
            f"{group:<20} {ours.rate:>13.3f} {ours.touched:>7}/{ours.seen:<7} {rand.rate:>12.3f} "
            f"{rand.touched:>7}/{rand.seen:<7} {ours.rate / rand.rate:>6.3f} "
            f"{lo:>7.3f}-{hi:<7.3f}"
        )


def tune(series: Sequence[Series], step: int) -> None:
    """The grid behind the defaults: support/resistance only, train period only."""
    grid: dict[str, tuple[Any, ...]] = {
        "pivot_window": (5, 10, 15, 21, 30),
        "cluster_atr": (0.5, 0.75, 1.0),
        "half_life_bars": (63.0, 252.0),
        "break_penalty": (0.0, 0.5),
    }
    print(
        f"{'params':<70} {'rate':>6} {'random':>6} {'ratio':>6} {'touched':>8} "
        f"{'days with S':>11} {'with R':>6}"
    )
    for values in itertools.product(*grid.values()):
        params = replace(DEFAULT_PARAMS, **dict(zip(grid, values, strict=True)))
        days: Counter[str] = Counter()
        ours, rand = measure(series, TRAIN, params, step, days)["support/resistance"]
        label = " ".join(f"{k}={v:g}" for k, v in zip(grid, values, strict=True))
        print(
            f"{label:<70} {ours.rate:>6.3f} {rand.rate:>6.3f} {ours.rate / rand.rate:>6.3f} "
            f"{ours.touched:>8} {days['support'] / days['days']:>11.2f} "
            f"{days['resistance'] / days['days']:>6.2f}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="print the parameter grid (train)")
    parser.add_argument(
        "--step", type=int, default=0, help="every STEP-th day (default 1; 3 with --tune)"
    )
    parser.add_argument("--symbols", nargs="*", default=list(SERIES))
    args = parser.parse_args()
    if not PRICES.is_dir():
        print(f"{PRICES} not found: the benchmark needs ../shared/data")
        return 1
    series = [load(sym) for sym in args.symbols]
    step = args.step or (3 if args.tune else 1)
    started = time.perf_counter()
    if args.tune:
        tune(series, step)
    else:
        print(
            f"band ±{BAND_ATR} ATR, horizon {HORIZON_BARS} bars, reversal: a close {REVERSAL_ATR} ATR "
            f"beyond the band within {FOLLOW_BARS} bars of the touch, before a close through it; "
            f"random: distances shuffled, {RANDOM_DRAWS} draws; every {step} day(s); {DEFAULT_PARAMS}"
        )
        for name, period in (("train", TRAIN), ("report", REPORT)):
            days = [s.dates[t] for s in series for t in as_of_days(s, period, step)]
            present: Counter[str] = Counter()
            result = measure(series, period, DEFAULT_PARAMS, step, present)
            print_table(
                f"{name}: {len(days)} as-of days (all series), {min(days)} .. {max(days)}; "
                f"a support on {present['support'] / present['days']:.0%} of them, "
                f"a resistance on {present['resistance'] / present['days']:.0%}",
                result,
            )
    print(
        f"\n{time.perf_counter() - started:.0f} s on this machine (2 cores, others may be running)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
