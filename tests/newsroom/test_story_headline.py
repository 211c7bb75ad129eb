"""A story brief names its story: the headline and the coverage paragraph quote the lead
story's representative headline, verbatim, with its outlet, and the quote verifies (issue #10)."""

from __future__ import annotations

import copy
from typing import Any

from tests.newsroom.test_writer import demo_facts, write

__all__ = ["demo_facts"]  # the module-scoped demo fixture, shared with the writer tests


def _as_story_brief(facts: dict[str, Any]) -> dict[str, Any]:
    """The demo facts of an instrument with news, turned into a hot story told by two outlets."""
    out = copy.deepcopy(facts)
    news = out["news"][:2]
    outlets = ["Reuters", "CNBC"]
    for item, outlet in zip(news, outlets, strict=True):
        item["story_id"], item["outlet"], item["story_outlets"] = 99, outlet, 2
    first = min(news, key=lambda n: n["published_at"])
    out["news"] = news
    out["lead_story"] = 99
    out["lead_story_outlets"] = 2
    out["news_outlets"] = sorted(outlets)
    out["lead_story_headline"] = {
        "title": first["title"],
        "outlet": first["outlet"],
        "published_at": first["published_at"],
        "url": first["url"],
    }
    out["trigger"] = {"kind": "heat", "reason": "test", "events": []}
    return out


def test_story_brief_quotes_its_headline_with_its_outlet(
    demo_facts: dict[str, dict[str, Any]],
) -> None:
    facts = next(f for f in demo_facts.values() if len(f["news"]) >= 2)
    story = _as_story_brief(facts)
    headline, texts = write(story)  # verifies: the quote is a source title
    quoted = story["lead_story_headline"]
    assert f"“{quoted['title']}”" in headline
    body = " ".join(texts)
    assert f"“{quoted['title']}”, first from {quoted['outlet']}" in body
    assert "draws a crowd" not in headline
