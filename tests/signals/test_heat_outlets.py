"""Heat counts distinct outlets of distinct stories (issue #10): five aggregator copies of one
wire item are one outlet on one story; five outlets on one story are five."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tapewire.signals.compute import SignalInputs, compute_signals
from tapewire.signals.heat import compute_heat
from tapewire.signals.pulse import NewsInput

AS_OF = datetime(2026, 12, 7, 16, tzinfo=UTC)


def at(hours_ago: float) -> datetime:
    return AS_OF - timedelta(hours=hours_ago)


def test_syndicated_copies_of_one_story_count_once() -> None:
    copies = [(at(1 + n / 10), "Reuters", 7) for n in range(5)]  # via Yahoo, MSN, Google News...
    one = compute_heat([(at(1), "Reuters", 7)], as_of=AS_OF)
    five_copies = compute_heat(copies, as_of=AS_OF)
    assert five_copies == one
    assert (five_copies.items_24h, five_copies.publishers_24h) == (1, 1)


def test_more_outlets_on_a_story_heat_it_more_than_copies() -> None:
    outlets = ["Reuters", "CNBC", "Bloomberg", "The Wall Street Journal", "Barron's"]
    five_outlets = compute_heat([(at(1), o, 7) for o in outlets], as_of=AS_OF)
    copies = compute_heat([(at(1), "Reuters", 7)] * 5, as_of=AS_OF)
    assert (five_outlets.items_24h, five_outlets.publishers_24h) == (5, 5)
    assert five_outlets.score > copies.score


def test_distinct_stories_from_one_outlet_each_count() -> None:
    heat = compute_heat([(at(1), "Reuters", 1), (at(2), "Reuters", 2)], as_of=AS_OF)
    assert (heat.items_24h, heat.publishers_24h) == (2, 1)
    no_story = compute_heat([(at(1), "Reuters", None), (at(2), "Reuters", None)], as_of=AS_OF)
    assert no_story.items_24h == 2  # an item without a story is its own story
    legacy = compute_heat([(at(1), "Reuters"), (at(2), "Reuters")], as_of=AS_OF)
    assert legacy == no_story


def test_the_baseline_counts_the_same_way() -> None:
    old_copies = [(at(30 + n / 10), "Reuters", 3) for n in range(10)]
    old_one = [(at(30), "Reuters", 3)]
    recent = [(at(1), "CNBC", 9)]
    assert compute_heat(old_copies + recent, as_of=AS_OF) == compute_heat(
        old_one + recent, as_of=AS_OF
    )


def test_signals_heat_reads_outlet_and_story_of_each_item() -> None:
    values: dict[str, float | None] = {
        "close": 100.0,
        "sma50": 99.0,
        "sma200": 95.0,
        "rsi14": 55.0,
        "atr14": 2.0,
    }
    copies = tuple(NewsInput(at(1 + n / 10), "Reuters", 0.1, 1.0, 42) for n in range(5))
    spread = tuple(
        NewsInput(at(1), o, 0.1, 1.0, 42) for o in ("Reuters", "CNBC", "AP", "FT", "WSJ")
    )
    heat_copies = compute_signals(SignalInputs(values, (), copies, None), as_of=AS_OF).heat
    heat_spread = compute_signals(SignalInputs(values, (), spread, None), as_of=AS_OF).heat
    assert heat_copies.publishers_24h == 1
    assert heat_spread.publishers_24h == 5
    assert heat_spread.score > heat_copies.score
