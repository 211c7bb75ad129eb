"""Trading calendars and freshness (pure): when a daily bar is due, so a weekend or a holiday
never reads as "unchanged" and a series that stopped is called stale.

Calendars: ``XNYS`` (US equities: weekdays less NYSE holidays), ``FX`` (Monday to Friday),
``24x7`` (crypto). A daily bar for day D is complete once D has ended (see
``market.queries.last_usable_date``); the bar *due* as of a moment is the last trading day
before that moment's UTC date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

CalendarName = Literal["XNYS", "FX", "24x7"]
FreshnessStatus = Literal["fresh", "stale", "missing"]


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """A holiday on Saturday is observed Friday, on Sunday the Monday after."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def nyse_holidays(year: int) -> frozenset[date]:
    """Full-day NYSE closures of a year (the regular rules; one-off closures are not modelled)."""
    days = {
        _observed(date(year, 1, 1)),
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _easter(year) - timedelta(days=2),  # Good Friday
        _last_weekday(year, 5, 0),  # Memorial Day
        _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
        _observed(date(year, 12, 25)),
    }
    if year >= 2022:
        days.add(_observed(date(year, 6, 19)))  # Juneteenth
    return frozenset(d for d in days if d.year == year)


def is_trading_day(day: date, calendar: str) -> bool:
    if calendar == "24x7":
        return True
    if day.weekday() >= 5:
        return False
    return calendar != "XNYS" or day not in nyse_holidays(day.year)


def previous_trading_day(day: date, calendar: str) -> date:
    """The last trading day strictly before ``day``."""
    day -= timedelta(days=1)
    while not is_trading_day(day, calendar):
        day -= timedelta(days=1)
    return day


def trading_days_between(after: date, until: date, calendar: str) -> int:
    """Trading days in (after, until]."""
    count, day = 0, after + timedelta(days=1)
    while day <= until:
        count += is_trading_day(day, calendar)
        day += timedelta(days=1)
    return count


@dataclass(frozen=True, slots=True)
class Freshness:
    status: FreshnessStatus
    due: date  # the newest completed bar that should exist
    behind: int  # trading days between the last bar and the due one
    reason: str


def compute_freshness(
    last_bar: date | None, *, as_of: datetime, calendar: str, max_behind: int
) -> Freshness:
    """Fresh when the last bar is at most ``max_behind`` trading days older than the one due."""
    due = previous_trading_day(as_of.date(), calendar)
    if last_bar is None:
        return Freshness("missing", due, 0, "no bars")
    behind = trading_days_between(last_bar, due, calendar)
    if behind > max_behind:
        return Freshness(
            "stale",
            due,
            behind,
            f"last bar {last_bar.isoformat()} is {behind} trading days behind {due.isoformat()}",
        )
    return Freshness(
        "fresh", due, behind, "up to date" if behind == 0 else f"{behind} trading day(s) behind"
    )
