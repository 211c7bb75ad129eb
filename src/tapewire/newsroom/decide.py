"""Decide: whether a brief is written for an instrument as of a date (pure).

One daily brief per instrument per new session, never on stale or missing data: freshness is
judged on the instrument's exchange calendar (``market.calendar``), so a weekend or a holiday is
not a gap, and a day without a new bar (Saturday for equities) writes nothing new. Heat and
signal-event triggers come with issue #5.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tapewire.market.calendar import compute_freshness


@dataclass(frozen=True, slots=True)
class Decision:
    write: bool
    reason: str


def decide_daily(
    *,
    has_signal: bool,
    last_bar: date | None,
    as_of: datetime,
    calendar: str,
    max_behind: int,
    last_brief_bar: date | None = None,
) -> Decision:
    freshness = compute_freshness(last_bar, as_of=as_of, calendar=calendar, max_behind=max_behind)
    if freshness.status == "missing":
        return Decision(False, "no bars: nothing to write about")
    if freshness.status == "stale":
        return Decision(False, f"stale: {freshness.reason}")
    if not has_signal:
        return Decision(False, "no signals computed: not enough history")
    if last_brief_bar is not None and last_bar is not None and last_bar <= last_brief_bar:
        return Decision(False, f"no new session since the brief on the {last_bar.isoformat()} bar")
    return Decision(True, "daily brief")
