"""Clocks: "now" is passed in, never read from a global, so replay and tests control time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock stopped at one instant (replay, tests)."""

    at: datetime

    def now(self) -> datetime:
        return self.at


def utc_midnight(day: date) -> datetime:
    """The instant a UTC calendar day starts."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


AS_OF_YEARS = (1900, 2999)  # market data outside these years is not something tapewire reads


def parse_as_of(text: str) -> datetime:
    """Parse ``YYYY-MM-DD`` (start of that UTC day) or an ISO timestamp (naive means UTC).

    Raises:
        ValueError: the text is neither, or the instant in UTC is outside ``AS_OF_YEARS``.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            parsed = utc_midnight(date.fromisoformat(text))
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-12:00 is past datetime.max in UTC
        raise ValueError(f"{text!r} is out of range") from None
    check_year(parsed.year, text)
    return parsed


def check_year(year: int, text: str) -> None:
    """Raises ValueError when ``year`` is outside ``AS_OF_YEARS``."""
    low, high = AS_OF_YEARS
    if not low <= year <= high:
        raise ValueError(f"{text!r} is out of range (years {low} to {high})")
