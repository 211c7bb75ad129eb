"""Decide (pure): fresh data first, then the watchlist, signal events and hot stories."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tapewire.newsroom.decide import (
    Event,
    PreviousSession,
    decide_daily,
    decide_story,
    find_events,
)

AS_OF = datetime(2026, 2, 3, tzinfo=UTC)  # a Tuesday: Monday's bar is due
MONDAY, FRIDAY = date(2026, 2, 2), date(2026, 1, 30)
LEVELS = (("support", 95.0), ("support", 90.0), ("resistance", 105.0), ("sma50", 99.0))


def previous(close: float = 98.0, direction: str = "Neutral") -> PreviousSession:
    return PreviousSession(FRIDAY, close, LEVELS, direction)


def test_a_close_through_a_support_of_the_previous_map_is_a_level_break() -> None:
    events = find_events(close=94.0, bar_date=MONDAY, direction="Neutral", previous=previous())
    assert events == [Event("level_break", "closed below support at 95.00", 95.0)]
    deep = find_events(close=89.0, bar_date=MONDAY, direction="Neutral", previous=previous())
    assert [e.price for e in deep] == [95.0]  # the first floor broken is the one named


def test_a_close_through_resistance_and_a_direction_change() -> None:
    events = find_events(close=106.0, bar_date=MONDAY, direction="Bullish", previous=previous())
    assert [e.kind for e in events] == ["level_break", "direction_change"]
    assert events[0].price == 105.0 and events[1].text == "Pulse turned Bullish from Neutral"


def test_no_event_without_a_cross_a_previous_session_or_a_new_bar() -> None:
    assert find_events(close=96.0, bar_date=MONDAY, direction="Neutral", previous=previous()) == []
    below_already = previous(close=94.0)  # it was already under 95: nothing broke today
    assert (
        find_events(close=93.0, bar_date=MONDAY, direction="Neutral", previous=below_already) == []
    )
    assert find_events(close=80.0, bar_date=MONDAY, direction="Bearish", previous=None) == []
    same_bar = PreviousSession(MONDAY, 98.0, LEVELS, "Neutral")
    assert find_events(close=80.0, bar_date=MONDAY, direction="Bearish", previous=same_bar) == []


def daily(**kw: object) -> tuple[bool, str, str]:
    args: dict[str, object] = {
        "has_signal": True,
        "last_bar": MONDAY,
        "as_of": AS_OF,
        "calendar": "XNYS",
        "max_behind": 2,
    }
    d = decide_daily(**(args | kw))  # type: ignore[arg-type]
    return d.write, d.reason, d.trigger


def test_watchlist_and_events_decide_the_session_brief() -> None:
    assert daily() == (True, "daily brief", "daily")
    assert daily(watched=False) == (False, "not on the watchlist and no signal event", "daily")
    event = Event("level_break", "closed below support at 95.00", 95.0)
    assert daily(watched=False, events=[event]) == (
        True,
        "closed below support at 95.00",
        "level_break",
    )
    assert daily(last_brief_bar=MONDAY, events=[event])[0] is False  # no new session
    assert daily(last_bar=date(2026, 1, 20), events=[event])[1].startswith("stale")
    assert daily(last_bar=None)[1] == "no bars: nothing to write about"
    assert daily(has_signal=False)[0] is False


def test_a_hot_story_brief_once_per_story() -> None:
    ok = decide_story(heat=70.0, threshold=67.0, story_outlets=3, already_written=False)
    assert (ok.write, ok.trigger) == (True, "heat")
    assert not decide_story(heat=60.0, threshold=67.0, story_outlets=3, already_written=False).write
    assert not decide_story(heat=None, threshold=67.0, story_outlets=3, already_written=False).write
    assert not decide_story(heat=80.0, threshold=67.0, story_outlets=1, already_written=False).write
    assert not decide_story(heat=80.0, threshold=67.0, story_outlets=3, already_written=True).write


def test_a_close_just_through_a_level_is_not_a_break() -> None:
    """With ATR 4, a support at 95 breaks only on a close under 94 (a quarter ATR through)."""
    near = find_events(
        close=94.5, bar_date=MONDAY, direction="Neutral", previous=previous(), atr=4.0
    )
    assert near == []
    through = find_events(
        close=93.9, bar_date=MONDAY, direction="Neutral", previous=previous(), atr=4.0
    )
    assert [e.price for e in through] == [95.0]
