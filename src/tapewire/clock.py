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


def parse_as_of(text: str) -> datetime:
    """Parse ``YYYY-MM-DD`` (start of that UTC day) or an ISO timestamp (naive means UTC).

    Raises:
        ValueError: the text is neither.
    """
    text = text.strip()
    if len(text) == 10:
        return utc_midnight(date.fromisoformat(text))
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
