"""Trading calendars and freshness: weekends and holidays are not gaps; stopped series are stale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tapewire.market.calendar import (
    compute_freshness,
    is_trading_day,
    nyse_holidays,
    previous_trading_day,
)
from tapewire.newsroom.decide import decide_daily


def test_nyse_holidays_2026() -> None:
    assert sorted(nyse_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 4, 3),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 3),
        date(2026, 9, 7),
        date(2026, 11, 26),
        date(2026, 12, 25),
    ]  # July 4th is a Saturday: observed Friday the 3rd


@pytest.mark.parametrize(
    ("day", "calendar", "open_"),
    [
        (date(2026, 11, 26), "XNYS", False),  # Thanksgiving
        (date(2026, 11, 26), "FX", True),
        (date(2026, 11, 28), "XNYS", False),  # Saturday
        (date(2026, 11, 28), "24x7", True),
        (date(2026, 11, 27), "XNYS", True),
    ],
)
def test_trading_days(day: date, calendar: str, open_: bool) -> None:
    assert is_trading_day(day, calendar) is open_


def test_the_bar_due_skips_weekends_and_holidays() -> None:
    assert previous_trading_day(date(2026, 11, 30), "XNYS") == date(
        2026, 11, 27
    )  # Monday -> Friday
    assert previous_trading_day(date(2026, 11, 27), "XNYS") == date(
        2026, 11, 25
    )  # over Thanksgiving
    assert previous_trading_day(date(2026, 11, 30), "24x7") == date(2026, 11, 29)


@pytest.mark.parametrize(
    ("last", "as_of", "calendar", "status"),
    [
        (
            date(2026, 11, 27),
            datetime(2026, 11, 29, 12, tzinfo=UTC),
            "XNYS",
            "fresh",
        ),  # Sunday: Friday is due
        (
            date(2026, 11, 25),
            datetime(2026, 11, 27, tzinfo=UTC),
            "XNYS",
            "fresh",
        ),  # Thanksgiving is no gap
        (date(2026, 11, 20), datetime(2026, 12, 1, tzinfo=UTC), "XNYS", "stale"),  # a week behind
        (
            date(2026, 11, 27),
            datetime(2026, 11, 30, tzinfo=UTC),
            "24x7",
            "fresh",
        ),  # 2 days behind: allowed
        (date(2026, 11, 25), datetime(2026, 11, 30, tzinfo=UTC), "24x7", "stale"),
        (None, datetime(2026, 11, 30, tzinfo=UTC), "XNYS", "missing"),
    ],
)
def test_freshness(last: date | None, as_of: datetime, calendar: str, status: str) -> None:
    assert compute_freshness(last, as_of=as_of, calendar=calendar, max_behind=2).status == status


def test_a_weekend_writes_nothing_new_and_a_stale_series_nothing_at_all() -> None:
    saturday = datetime(2026, 11, 28, 9, tzinfo=UTC)
    friday_bar = date(2026, 11, 27)
    same = decide_daily(
        has_signal=True,
        last_bar=friday_bar,
        as_of=saturday,
        calendar="XNYS",
        max_behind=2,
        last_brief_bar=friday_bar,
    )
    assert not same.write and same.reason.startswith("no new session")
    fresh = decide_daily(
        has_signal=True,
        last_bar=friday_bar,
        as_of=saturday,
        calendar="XNYS",
        max_behind=2,
        last_brief_bar=date(2026, 11, 25),
    )
    assert fresh.write
    stale = decide_daily(
        has_signal=True, last_bar=date(2026, 11, 10), as_of=saturday, calendar="XNYS", max_behind=2
    )
    assert not stale.write and stale.reason.startswith("stale")
    missing = decide_daily(
        has_signal=False, last_bar=None, as_of=saturday, calendar="XNYS", max_behind=2
    )
    assert not missing.write
