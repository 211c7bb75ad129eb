"""The enrich stage's read API: items linked to an instrument, with sentiment and story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tapewire.enrich.models import EntityLink, Sentiment, Story, StoryItem
from tapewire.ingest import queries as ingest_queries
from tapewire.store import Store


@dataclass(frozen=True, slots=True)
class LinkedItem:
    item_id: int
    title: str
    summary: str
    url: str
    publisher_domain: str
    publisher_name: str | None
    published_at: datetime
    relevance: float
    sentiment: float | None
    story_id: int | None
    story_outlets: int
    tone: float | None = None  # toward this instrument (enrich.tone); None: use ``sentiment``


def linked_items(
    store: Store, instrument_id: int, *, since: datetime, until: datetime
) -> list[LinkedItem]:
    """Items about the instrument published in [since, until), newest first."""
    with store.read() as s:
        rows = s.execute(
            select(EntityLink.news_item_id, EntityLink.relevance, EntityLink.tone).where(
                EntityLink.instrument_id == instrument_id
            )
        ).all()
        links = {item_id: relevance for item_id, relevance, _ in rows}
        tones = {item_id: tone for item_id, _, tone in rows}
        sentiments = dict(
            s.execute(
                select(Sentiment.news_item_id, Sentiment.score).where(
                    Sentiment.news_item_id.in_(list(links))
                )
            ).all()
        )
        stories = {
            item_id: (story_id, outlets)
            for item_id, story_id, outlets in s.execute(
                select(StoryItem.news_item_id, Story.id, Story.outlet_count)
                .join(Story, Story.id == StoryItem.story_id)
                .where(StoryItem.news_item_id.in_(list(links)))
            ).all()
        }
    items = ingest_queries.news_items(store, until=until, since=since, ids=list(links))
    return [
        LinkedItem(
            item_id=i.id,
            title=i.title,
            summary=i.summary,
            url=i.url,
            publisher_domain=i.publisher_domain,
            publisher_name=i.publisher_name,
            published_at=i.published_at,
            relevance=links[i.id],
            sentiment=sentiments.get(i.id),
            story_id=stories.get(i.id, (None, 1))[0],
            story_outlets=stories.get(i.id, (None, 1))[1],
            tone=tones.get(i.id),
        )
        for i in items
    ]


@dataclass(frozen=True, slots=True)
class StoryView:
    id: int
    title: str
    first_seen_at: datetime
    last_seen_at: datetime
    item_count: int
    outlet_count: int


def recent_stories(store: Store, *, until: datetime, limit: int = 50) -> list[StoryView]:
    """Stories first seen before ``until``, most recently active first."""
    with store.read() as s:
        rows = s.scalars(
            select(Story)
            .where(Story.first_seen_at < until)
            .order_by(Story.last_seen_at.desc(), Story.id.desc())
            .limit(limit)
        ).all()
        return [
            StoryView(r.id, r.title, r.first_seen_at, r.last_seen_at, r.item_count, r.outlet_count)
            for r in rows
        ]
