"""Decide: whether a brief is written for an instrument as of a date, and why (pure).

Never on stale or missing data: freshness is judged on the instrument's exchange calendar
(``market.calendar``), so a weekend or a holiday is not a gap. Then three triggers:

- **daily**: an instrument on the watchlist (``newsroom.watchlist``; empty = every instrument)
  gets one brief per new session; a day without a new bar (Saturday for equities) writes nothing.
- **signal events**, for every instrument, watched or not, on a new session: a close through a
  support or resistance of the previous session's map by a quarter ATR (``level_break``), or Pulse's direction
  changing from the previous session's (``direction_change``).
- **heat**: a story about the instrument while its Heat is at or above
  ``newsroom.heat_threshold`` gets a brief of its own, once per story, even between sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from tapewire.market.calendar import compute_freshness

Trigger = Literal["daily", "level_break", "direction_change", "heat"]
BREAK_MARGIN_ATR = 0.25  # a close must be this many ATRs through a level to break it


@dataclass(frozen=True, slots=True)
class Event:
    kind: Trigger
    text: str  # one line for people, built from the facts only
    price: float | None = None  # the level broken, when there is one
    previous: str | None = None  # the direction before a direction change


@dataclass(frozen=True, slots=True)
class Decision:
    write: bool
    reason: str
    trigger: Trigger = "daily"


@dataclass(frozen=True, slots=True)
class PreviousSession:
    """What the instrument's previous session looked like: its close, levels and direction."""

    bar_date: date
    close: float
    levels: tuple[tuple[str, float], ...]  # (kind, price)
    direction: str


def check_data(
    *, has_signal: bool, last_bar: date | None, as_of: datetime, calendar: str, max_behind: int
) -> Decision:
    """Whether the data can carry any brief at all (fresh bars and computed signals)."""
    freshness = compute_freshness(last_bar, as_of=as_of, calendar=calendar, max_behind=max_behind)
    if freshness.status == "missing":
        return Decision(False, "no bars: nothing to write about")
    if freshness.status == "stale":
        return Decision(False, f"stale: {freshness.reason}")
    if not has_signal:
        return Decision(False, "no signals computed: not enough history")
    return Decision(True, "data fresh")


def find_events(
    *,
    close: float,
    bar_date: date,
    direction: str,
    previous: PreviousSession | None,
    atr: float | None = None,
) -> list[Event]:
    """Signal events of this session against the previous one (none without a previous one).

    A level counts as broken when the close is through it by at least ``BREAK_MARGIN_ATR`` ATRs
    (a close a few cents through a level is noise, and would flip back and forth).
    """
    if previous is None or previous.bar_date >= bar_date:
        return []
    margin = BREAK_MARGIN_ATR * (atr or 0.0)
    events: list[Event] = []
    broken_supports = [
        p
        for kind, p in previous.levels
        if kind == "support" and close < p - margin and p <= previous.close
    ]
    broken_resistances = [
        p
        for kind, p in previous.levels
        if kind == "resistance" and close > p + margin and p >= previous.close
    ]
    if broken_supports:
        level = max(broken_supports)
        events.append(Event("level_break", f"closed below support at {level:,.2f}", level))
    if broken_resistances:
        level = min(broken_resistances)
        events.append(Event("level_break", f"closed above resistance at {level:,.2f}", level))
    if direction != previous.direction:
        events.append(
            Event(
                "direction_change",
                f"Pulse turned {direction} from {previous.direction}",
                previous=previous.direction,
            )
        )
    return events


def decide_daily(
    *,
    has_signal: bool,
    last_bar: date | None,
    as_of: datetime,
    calendar: str,
    max_behind: int,
    last_brief_bar: date | None = None,
    watched: bool = True,
    events: Sequence[Event] = (),
) -> Decision:
    """The session brief: fresh data, a new session, and the watchlist or a signal event."""
    data = check_data(
        has_signal=has_signal,
        last_bar=last_bar,
        as_of=as_of,
        calendar=calendar,
        max_behind=max_behind,
    )
    if not data.write:
        return data
    if last_brief_bar is not None and last_bar is not None and last_bar <= last_brief_bar:
        return Decision(False, f"no new session since the brief on the {last_bar.isoformat()} bar")
    if events:
        return Decision(True, "; ".join(e.text for e in events), events[0].kind)
    if watched:
        return Decision(True, "daily brief")
    return Decision(False, "not on the watchlist and no signal event")


def decide_story(
    *, heat: float | None, threshold: float, story_outlets: int, already_written: bool
) -> Decision:
    """A hot story's own brief: Heat at the threshold, a story told by two outlets or more,
    once per story."""
    if heat is None or heat < threshold:
        return Decision(False, f"heat {heat} below {threshold}", "heat")
    if story_outlets < 2:
        return Decision(False, "no story with two outlets or more", "heat")
    if already_written:
        return Decision(False, "this story already has its brief", "heat")
    return Decision(True, f"heat {heat:.0f} at or above {threshold:.0f}", "heat")
