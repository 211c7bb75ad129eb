"""Key levels with evidence (pure): swing pivots clustered by ATR, averages, 52-week extremes.

Thin first version; issue #4 ranks, zones and tests them against real history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

LevelKind = Literal["support", "resistance", "sma50", "sma200", "high52", "low52"]
PIVOT_WINDOW = 5  # a swing high/low is the extreme of this many bars either side
TOUCH_WIDTH_ATR = 0.5  # pivots closer than this many ATRs merge into one level
MAX_DISTANCE_ATR = 8.0  # levels farther than this from the last close are not "key"


@dataclass(frozen=True, slots=True)
class LevelBar:
    bar_date: date
    high: float
    low: float
    close: float


@dataclass(frozen=True, slots=True)
class Level:
    price: float
    kind: LevelKind
    touches: int
    last_touch_date: date | None
    evidence: str  # one line a reader can check against the bars


def find_levels(
    bars: Sequence[LevelBar],
    *,
    atr: float,
    sma50: float | None,
    sma200: float | None,
    limit: int = 6,
) -> list[Level]:
    """Nearest supports below and resistances above the last close, plus reference levels."""
    if len(bars) < 2 * PIVOT_WINDOW + 1 or atr <= 0:
        return []
    last = bars[-1].close
    year = bars[-252:]
    pivots = _cluster(_pivots(year), width=atr * TOUCH_WIDTH_ATR)
    near = [lv for lv in pivots if abs(lv.price - last) <= MAX_DISTANCE_ATR * atr]
    supports = sorted((lv for lv in near if lv.price < last), key=lambda lv: last - lv.price)
    resistances = sorted((lv for lv in near if lv.price > last), key=lambda lv: lv.price - last)
    chosen = [_as_kind(lv, "support") for lv in supports[:2]]
    chosen += [_as_kind(lv, "resistance") for lv in resistances[:2]]
    chosen += _reference_levels(year, sma50=sma50, sma200=sma200)
    return chosen[: limit + 4]


def _pivots(bars: Sequence[LevelBar]) -> list[tuple[float, date]]:
    out: list[tuple[float, date]] = []
    w = PIVOT_WINDOW
    for i in range(w, len(bars) - w):
        window = bars[i - w : i + w + 1]
        if bars[i].high >= max(b.high for b in window):
            out.append((bars[i].high, bars[i].bar_date))
        if bars[i].low <= min(b.low for b in window):
            out.append((bars[i].low, bars[i].bar_date))
    return out


def _cluster(pivots: list[tuple[float, date]], *, width: float) -> list[Level]:
    levels: list[list[tuple[float, date]]] = []
    for price, day in sorted(pivots):
        if levels and price - levels[-1][0][0] <= width:  # vs the cluster's first: no chaining
            levels[-1].append((price, day))
        else:
            levels.append([(price, day)])
    out = []
    for group in levels:
        price = sum(p for p, _ in group) / len(group)
        last_touch = max(d for _, d in group)
        out.append(Level(price, "support", len(group), last_touch, ""))
    return out


def _as_kind(level: Level, kind: LevelKind) -> Level:
    evidence = (
        f"{level.touches} swing {'low' if kind == 'support' else 'high'}(s) within "
        f"{TOUCH_WIDTH_ATR} ATR, last on {level.last_touch_date}"
    )
    return Level(level.price, kind, level.touches, level.last_touch_date, evidence)


def _reference_levels(
    year: Sequence[LevelBar], *, sma50: float | None, sma200: float | None
) -> list[Level]:
    hi = max(year, key=lambda b: b.high)
    lo = min(year, key=lambda b: b.low)
    out = [
        Level(hi.high, "high52", 1, hi.bar_date, f"highest high of the last {len(year)} bars"),
        Level(lo.low, "low52", 1, lo.bar_date, f"lowest low of the last {len(year)} bars"),
    ]
    if sma50 is not None:
        out.append(Level(sma50, "sma50", 0, None, "mean close of the last 50 bars"))
    if sma200 is not None:
        out.append(Level(sma200, "sma200", 0, None, "mean close of the last 200 bars"))
    return out
