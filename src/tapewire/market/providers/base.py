"""The price-provider protocol, the bar value it yields and the row checks every parser shares."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar, Protocol

PRICE_EPSILON = 1e-9  # relative tolerance when checking open/close against the high-low range


@dataclass(frozen=True, slots=True)
class Capabilities:
    intervals: tuple[str, ...] = ("1d",)


@dataclass(frozen=True, slots=True)
class BarIn:
    bar_date: date
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedBars:
    bars: tuple[BarIn, ...]  # valid bars, oldest first
    rejected: tuple[RejectedRow, ...] = field(default=())
    partial_last: bool = False  # the newest bar is still forming (fetched before the close)


def looks_partial(bars: tuple[BarIn, ...]) -> bool:
    """A newest bar with no volume after bars that traded is an intraday snapshot, not a close.

    Series that never report volume (indices on some feeds, FX) are never flagged.
    """
    if len(bars) < 6 or bars[-1].volume > 0:
        return False
    return all(b.volume > 0 for b in bars[-6:-1])


class PriceProvider(Protocol):
    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def fetch_bars(self, symbol: str, *, start: date, end: date) -> ParsedBars: ...


def check_bar(bar: BarIn) -> str | None:
    """Why a bar is unusable, or None. A bad bar is reported, never silently used."""
    values = (bar.open, bar.high, bar.low, bar.close)
    if any(not math.isfinite(v) or v <= 0 for v in values):  # "nan", "inf" parse as floats
        return "non-positive or missing price"
    if bar.high < bar.low:
        return f"high {bar.high} < low {bar.low}"
    slack = (
        bar.high * PRICE_EPSILON
    )  # back-adjusted series carry float noise (24.1723651 > 24.1723650)
    if not (bar.low - slack <= bar.open <= bar.high + slack) or not (
        bar.low - slack <= bar.close <= bar.high + slack
    ):
        return "open or close outside the high-low range"
    if not math.isfinite(bar.volume):
        return "missing volume"
    if bar.volume < 0:
        return "negative volume"
    return None


def validate_bars(rows: Iterable[tuple[int, BarIn]]) -> ParsedBars:
    """Keep consistent bars (oldest first); reject inconsistent ones and duplicate dates."""
    good: dict[date, BarIn] = {}
    rejected: list[RejectedRow] = []
    for line, bar in rows:
        reason = check_bar(bar)
        if reason is None and bar.bar_date in good:
            reason = f"duplicate date {bar.bar_date.isoformat()}"
        if reason is not None:
            rejected.append(RejectedRow(line, reason))
            continue
        good[bar.bar_date] = bar
    return ParsedBars(tuple(good[d] for d in sorted(good)), tuple(rejected))
