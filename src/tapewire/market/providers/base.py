"""The price-provider protocol, the bar value it yields and the row checks every parser shares."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar, Protocol, runtime_checkable

from tapewire.errors import ConfigError

PRICE_EPSILON = 1e-9  # relative tolerance when checking open/close against the high-low range
_MINUTES = re.compile(r"([1-9][0-9]{0,3})m")  # an intraday interval: 1m, 5m, 15m, 30m, 60m


@dataclass(frozen=True, slots=True)
class Capabilities:
    intervals: tuple[str, ...] = ("1d",)
    lookback_days: tuple[tuple[str, int], ...] = ()  # how far back an intraday interval reaches

    def lookback(self, interval: str) -> timedelta | None:
        """How far back the provider serves ``interval`` (None: no stated limit)."""
        days = dict(self.lookback_days).get(interval)
        return None if days is None else timedelta(days=days)


def intraday_step(interval: str) -> timedelta:
    """The length of an intraday bar: ``Nm`` is N minutes (``60m``, ``15m``, ``5m``, ``1m``).

    Raises:
        ConfigError: not an intraday interval (``1d`` is the daily pipeline's, not this).
    """
    match = _MINUTES.fullmatch(interval)
    if match is None or int(match[1]) >= 24 * 60:
        raise ConfigError(f"{interval!r} is not an intraday interval (e.g. 60m, 15m, 5m, 1m)")
    return timedelta(minutes=int(match[1]))


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


@dataclass(frozen=True, slots=True)
class IntradayBarIn:
    bar_at: datetime  # the bar's start, tz-aware UTC
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True)
class ParsedIntraday:
    bars: tuple[IntradayBarIn, ...]  # complete, valid bars, oldest first
    rejected: tuple[RejectedRow, ...] = field(default=())
    forming: int = 0  # bars still forming when the answer was made: kept out of ``bars``
    gaps: int = 0  # intervals without a trade (every value null): not errors, no bar


class PriceProvider(Protocol):
    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def fetch_bars(self, symbol: str, *, start: date, end: date) -> ParsedBars: ...


@runtime_checkable
class IntradayProvider(Protocol):
    """A provider that also serves intraday bars (the intervals in its capabilities)."""

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    def fetch_intraday(
        self, symbol: str, *, interval: str, start: datetime, end: datetime
    ) -> ParsedIntraday: ...


def intraday_source(provider: PriceProvider, interval: str) -> IntradayProvider:
    """The provider, if it serves ``interval`` bars.

    Raises:
        ConfigError: it does not (the message names the intervals it has).
    """
    intraday_step(interval)
    if interval not in provider.capabilities.intervals or not isinstance(
        provider, IntradayProvider
    ):
        have = ", ".join(provider.capabilities.intervals)
        raise ConfigError(f"{provider.name} has no {interval} bars (it has: {have})")
    return provider


def check_bar(bar: BarIn | IntradayBarIn) -> str | None:
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


def validate_intraday(rows: Iterable[tuple[int, IntradayBarIn]]) -> ParsedIntraday:
    """Keep consistent bars (oldest first); reject inconsistent ones, naive or duplicate times."""
    good: dict[datetime, IntradayBarIn] = {}
    rejected: list[RejectedRow] = []
    for line, bar in rows:
        reason = check_bar(bar)
        if reason is None and bar.bar_at.tzinfo is None:
            reason = "a time without a time zone"
        elif reason is None and bar.bar_at in good:
            reason = f"duplicate time {bar.bar_at.isoformat()}"
        if reason is not None:
            rejected.append(RejectedRow(line, reason))
            continue
        good[bar.bar_at] = bar
    return ParsedIntraday(tuple(good[t] for t in sorted(good)), tuple(rejected))
