"""The writer's "upbeat/downbeat in tone" reads the tone toward the instrument, not the
sentence's mood: "Oil jumps, stocks drop" is never upbeat for an equity index."""

from __future__ import annotations

from typing import Any

from tapewire.enrich.sentiment import neutral_band, score_text
from tapewire.enrich.tone import target, tone_toward
from tapewire.newsroom.writers.template import _news_paragraph

TITLE = "Oil Jumps, Stocks Drop as Iran Tensions Flare"


def _facts(source: dict[str, Any]) -> dict[str, Any]:
    return {
        "news": [source],
        "news_outlets": [source["outlet"]],
        "lead_story": None,
        "sentiment_band": neutral_band(),
    }


def _source(tone: float | None) -> dict[str, Any]:
    source = {
        "title": TITLE,
        "outlet": "Reuters",
        "published_at": "2026-03-10T09:00:00+00:00",
        "sentiment": score_text(TITLE).score,
        "story_outlets": 1,
        "story_id": None,
    }
    if tone is not None:
        source["tone"] = tone
    return source


def test_mixed_headline_is_downbeat_for_the_index_and_upbeat_for_crude() -> None:
    assert score_text(TITLE).score > neutral_band()  # the sentence alone reads upbeat
    spx = tone_toward(TITLE, "", target("^GSPC", ("S&P 500",), "Indices"))
    crude = tone_toward(TITLE, "", target("CL=F", ("Crude Oil",), "Commodities"))
    assert "downbeat in tone" in _news_paragraph(_facts(_source(spx)))
    assert "upbeat in tone" in _news_paragraph(_facts(_source(crude)))


def test_without_a_tone_the_sentence_sentiment_still_speaks() -> None:
    assert "upbeat in tone" in _news_paragraph(_facts(_source(None)))


def test_fact_sheet_sources_carry_the_tone_and_keep_the_sentiment() -> None:
    from datetime import UTC, datetime

    from tapewire.enrich.queries import LinkedItem
    from tapewire.newsroom.facts import _source as fact_source

    def item(tone: float | None) -> LinkedItem:
        return LinkedItem(
            item_id=1,
            title=TITLE,
            summary="",
            url="https://example.com/a",
            publisher_domain="reuters.com",
            publisher_name="Reuters",
            published_at=datetime(2026, 3, 10, 9, tzinfo=UTC),
            relevance=1.0,
            sentiment=0.83,
            story_id=None,
            story_outlets=1,
            tone=tone,
        )

    toward = fact_source(item(-0.64))
    assert (toward["tone"], toward["sentiment"]) == (-0.64, 0.83)
    assert fact_source(item(None))["tone"] == 0.83  # no per-link tone: the item's sentiment
