"""The ingest stage's read API: frozen views of feeds, their health and news items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from tapewire.ingest.models import NewsItem
from tapewire.ingest.reads import FeedView as FeedView  # read through Core (issue #16)
from tapewire.ingest.reads import feeds as feeds
from tapewire.store import Store


@dataclass(frozen=True, slots=True)
class NewsItemView:
    id: int
    url: str
    title: str
    summary: str
    publisher_domain: str
    publisher_name: str | None
    published_at: datetime
    date_from_fetch: bool
    outlet: str
    language: str | None


def news_items(
    store: Store, *, until: datetime, since: datetime | None = None, ids: list[int] | None = None
) -> list[NewsItemView]:
    """Items published before ``until`` (as_of), newest first."""
    query = select(NewsItem).where(NewsItem.published_at < until)
    if since is not None:
        query = query.where(NewsItem.published_at >= since)
    if ids is not None:
        query = query.where(NewsItem.id.in_(ids))
    with store.read() as s:
        rows = s.scalars(query.order_by(NewsItem.published_at.desc(), NewsItem.id)).all()
        return [_item_view(row) for row in rows]


def published_ids(*, since: datetime, until: datetime) -> Select[Any]:
    """A subquery of the ids of items published in [since, until), for other stages' reads of a
    whole window in one query (``enrich.queries.NewsWindow``: ``... .in_(published_ids(...))``)."""
    return select(NewsItem.id).where(NewsItem.published_at < until, NewsItem.published_at >= since)


def count_items(store: Store) -> int:
    with store.read() as s:
        return len(s.scalars(select(NewsItem.id)).all())


def _item_view(row: NewsItem) -> NewsItemView:
    return NewsItemView(
        id=row.id,
        url=row.url,
        title=row.title,
        summary=row.summary,
        publisher_domain=row.publisher_domain,
        publisher_name=row.publisher_name,
        published_at=row.published_at,
        date_from_fetch=row.date_from_fetch,
        outlet=row.outlet,
        language=row.language,
    )


_ITEM_COLUMNS = (
    NewsItem.id,
    NewsItem.url,
    NewsItem.title,
    NewsItem.summary,
    NewsItem.publisher_domain,
    NewsItem.publisher_name,
    NewsItem.published_at,
    NewsItem.date_from_fetch,
    NewsItem.outlet,
    NewsItem.language,
)


def news_items_by_id(store: Store, ids: list[int]) -> list[NewsItemView]:
    """Items by id, newest first, on the caller's Core connection (a page holds one, #16)."""
    if not ids:
        return []
    query = (
        select(*_ITEM_COLUMNS)
        .where(NewsItem.id.in_(ids))
        .order_by(NewsItem.published_at.desc(), NewsItem.id)
    )
    with store.connect() as c:
        return [NewsItemView(*tuple(row)) for row in c.execute(query)]
