"""Decide: whether a brief is written for an instrument as of a date (pure).

Thin rule for now: one daily brief per instrument, never on stale or missing data. Issue #5
adds heat-threshold and signal-event triggers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tapewire.market.queries import last_usable_date


@dataclass(frozen=True, slots=True)
class Decision:
    write: bool
    reason: str


def decide_daily(
    *,
    has_signal: bool,
    last_bar: date | None,
    as_of: datetime,
    trades_weekends: bool,
    stale_after_days: int,
) -> Decision:
    if last_bar is None:
        return Decision(False, "no bars: nothing to write about")
    if not has_signal:
        return Decision(False, "no signals computed: not enough history")
    gap = (last_usable_date(as_of) - last_bar).days
    allowed = 1 if trades_weekends else stale_after_days
    if gap > allowed:
        return Decision(False, f"stale: last bar {last_bar.isoformat()} is {gap} days old")
    return Decision(True, "daily brief")
