"""The enrich stage's read API: items linked to an instrument, with sentiment and story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tapewire.enrich.models import EntityLink, Sentiment, Story, StoryItem
from tapewire.ingest import queries as ingest_queries
from tapewire.market import queries as market_queries
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
    outlet: str = ""  # who wrote it, as readers know it ("Reuters"; ingest/outlets.py)
    language: str | None = None


def linked_items(
    store: Store, instrument_id: int, *, since: datetime, until: datetime
) -> list[LinkedItem]:
    """Items about the instrument published in [since, until), newest first."""
    with store.read() as s:
        links = dict(
            s.execute(
                select(EntityLink.news_item_id, EntityLink.relevance).where(
                    EntityLink.instrument_id == instrument_id
                )
            ).all()
        )
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
            outlet=i.outlet,
            language=i.language,
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
    headline_outlet: str = ""  # the outlet that ran ``title`` (the representative headline)
    outlets: tuple[str, ...] = ()  # distinct outlets, by first coverage
    instruments: tuple[str, ...] = ()  # symbols its items are linked to


def recent_stories(store: Store, *, until: datetime, limit: int = 50) -> list[StoryView]:
    """Stories first seen before ``until``, most recently active first."""
    symbols_of = _symbols(store)
    with store.read() as s:
        rows = s.scalars(
            select(Story)
            .where(Story.first_seen_at < until)
            .order_by(Story.last_seen_at.desc(), Story.id.desc())
            .limit(limit)
        ).all()
        symbols = _story_symbols(s, [r.id for r in rows], symbols_of)
        return [
            StoryView(
                r.id,
                r.title,
                r.first_seen_at,
                r.last_seen_at,
                r.item_count,
                r.outlet_count,
                r.headline_outlet,
                tuple(r.outlets or ()),
                symbols.get(r.id, ()),
            )
            for r in rows
        ]


def story(store: Store, story_id: int) -> StoryView | None:
    """One story by id (its representative headline, outlets and instruments), or None."""
    symbols_of = _symbols(store)
    with store.read() as s:
        r = s.get(Story, story_id)
        if r is None:
            return None
        symbols = _story_symbols(s, [story_id], symbols_of)
        return StoryView(
            r.id,
            r.title,
            r.first_seen_at,
            r.last_seen_at,
            r.item_count,
            r.outlet_count,
            r.headline_outlet,
            tuple(r.outlets or ()),
            symbols.get(r.id, ()),
        )


def _symbols(store: Store) -> dict[int, str]:
    return {inst.id: inst.symbol for inst in market_queries.instruments(store, active_only=False)}


def _story_symbols(
    s: Session, story_ids: list[int], symbol: dict[int, str]
) -> dict[int, tuple[str, ...]]:
    """Story id -> the symbols of the instruments its items are linked to (via entity links)."""
    found: dict[int, set[int]] = {}
    for story_id, instrument_id in s.execute(
        select(StoryItem.story_id, EntityLink.instrument_id)
        .join(EntityLink, EntityLink.news_item_id == StoryItem.news_item_id)
        .where(StoryItem.story_id.in_(story_ids))
    ).all():
        found.setdefault(story_id, set()).add(instrument_id)
    return {k: tuple(sorted(symbol[i] for i in v if i in symbol)) for k, v in found.items()}
