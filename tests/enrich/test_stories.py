"""Story grouping rules on small hand-made cases (the real-set quality is test_stories_quality)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tapewire.enrich.lexicon import find_places, places_conflict
from tapewire.enrich.stories import StoryGroup, StoryInput, find_stories, title_tokens

T0 = datetime(2023, 11, 30, 8, tzinfo=UTC)


FILLER = [  # unrelated headlines, so shared words are rare as they are in a real window
    "Amkor to invest $2 billion in Arizona chip packaging plant",
    "TikTok wins stay on Montana ban from US judge",
    "Panera confidentially files for IPO",
    "Metro Bank to cut 20% of staff",
    "Remy Cointreau keeps outlook as cognac sales plunge",
    "Canada buys Boeing sub-hunting planes in snub to Bombardier",
    "Heirs beat self-made billionaires for first time in UBS survey",
    "Pending home sales index drops to record low",
]


def with_filler(items: list[StoryInput]) -> list[StoryInput]:
    return items + [item(100 + n, t, "Fortune", n) for n, t in enumerate(FILLER)]


def item(n: int, title: str, publisher: str, hours: float = 0.0) -> StoryInput:
    return StoryInput(n, title, T0 + timedelta(hours=hours), publisher, frozenset())


def together(stories: list[StoryGroup], a: int, b: int) -> bool:
    return any(a in s.item_ids and b in s.item_ids for s in stories)


def test_paraphrases_fold_to_one_token() -> None:
    assert "cut" in title_tokens("Ford lowers profit guidance") & title_tokens("Ford cuts guidance")
    shared = title_tokens("Euro area inflation falls") & title_tokens("Eurozone CPI")
    assert title_tokens("eurozone inflation") <= shared
    assert "opec" in title_tokens("OPEC+ cuts output") & title_tokens("Opec agrees deal")


def test_places_and_their_nesting() -> None:
    assert find_places("Warm words in Beijing for 'old friend' Kissinger") == {"china"}
    assert find_places("U.S. stocks open higher") == {"us"}
    assert places_conflict(frozenset({"germany"}), frozenset({"us"}))
    assert not places_conflict(frozenset({"germany"}), frozenset({"europe"}))
    assert not places_conflict(frozenset({"hong-kong"}), frozenset({"china"}))
    assert not places_conflict(frozenset(), frozenset({"us"}))


def test_same_event_across_outlets_is_one_story_with_its_outlets_and_times() -> None:
    stories = find_stories(
        [
            item(1, "Former UK chancellor Alistair Darling dies at 70", "FT", 0),
            item(2, "Alistair Darling, UK's Financial Crisis Chancellor, Dies", "Bloomberg", 1),
            item(3, "U.K. chancellor during 2008 financial crisis dies at 70", "MarketWatch", 2.5),
            item(4, "Dr Martens lowers profit guidance amid tough US market", "FT", 0.5),
        ]
    )
    story = next(s for s in stories if 1 in s.item_ids)
    assert story.item_ids == (1, 2, 3)
    assert story.outlet_count == 3
    assert (story.first_seen_at, story.last_seen_at) == (T0, T0 + timedelta(hours=2.5))
    assert not together(stories, 1, 4)


def test_different_places_never_share_a_story() -> None:
    stories = find_stories(
        with_filler(
            [
                item(
                    1, "German Jobless Rate Unexpectedly Rises to Highest Since 2021", "Bloomberg"
                ),
                item(2, "US continued jobless claims hit highest since 2021", "FT", 5),
            ]
        )
    )
    assert not together(stories, 1, 2)


def test_a_repeated_newsletter_title_is_a_new_edition_but_a_quick_update_is_not() -> None:
    title = "Five Things You Need to Know to Start Your Day"
    stories = find_stories(
        [
            item(1, title, "Bloomberg", 0),
            item(2, title, "Bloomberg", 12),
            item(3, "Tesla reveals Cybertruck pricing", "FT", 1),
            item(4, "Tesla reveals Cybertruck pricing", "FT", 2),
        ]
    )
    assert not together(stories, 1, 2)
    assert together(stories, 3, 4)


def test_a_publishers_series_words_do_not_make_a_story() -> None:
    bloomberg = [
        "China Alarm: The Bloomberg Open, Europe Edition",
        "OPEC+ Disappoints: The Bloomberg Open, Asia Edition",
        "Mild Relief: The Bloomberg Close, Americas Edition",
    ]
    stories = find_stories(
        with_filler([item(n, t, "Bloomberg", n) for n, t in enumerate(bloomberg)])
    )
    assert not any(together(stories, a, b) for a, b in ((0, 1), (0, 2), (1, 2)))


def test_price_move_blurbs_stay_alone() -> None:
    stories = find_stories(
        [
            item(1, "Tesla Inc. stock falls Thursday, underperforms market", "MarketWatch"),
            item(2, "Tesla Inc. stock falls Thursday, underperforms market", "MarketWatch", 0.1),
        ]
    )
    assert len(stories) == 2
