"""The ingest stage's read API: frozen views of feeds, their health and news items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tapewire.ingest.models import Feed, FeedHealth, NewsItem
from tapewire.net.redact import redact_secrets, redact_url
from tapewire.store import Store


@dataclass(frozen=True, slots=True)
class FeedView:
    id: int
    url: str
    title: str | None
    active: bool
    last_status: int | None
    last_error: str | None
    last_warning: str | None
    consecutive_failures: int
    last_fetched_at: datetime | None
    items_seen: int
    outlets: tuple[str, ...] = ()  # who wrote the items it carries, most items first


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


def feeds(store: Store) -> list[FeedView]:
    with store.read() as s:
        rows = s.execute(
            select(Feed, FeedHealth)
            .outerjoin(FeedHealth, FeedHealth.feed_id == Feed.id)
            .order_by(Feed.id)
        ).all()
        carried = _feed_outlets(s)
        return [_feed_view(feed, health, carried.get(feed.id, ())) for feed, health in rows]


def _feed_outlets(s: Session) -> dict[int, tuple[str, ...]]:
    """Feed id -> the outlets of its stored items, most items first (ties by name)."""
    counts: dict[int, list[tuple[int, str]]] = {}
    for feed_id, outlet, n in s.execute(
        select(NewsItem.feed_id, NewsItem.outlet, func.count(NewsItem.id))
        .where(NewsItem.feed_id.is_not(None))
        .group_by(NewsItem.feed_id, NewsItem.outlet)
    ).all():
        if feed_id is not None:
            counts.setdefault(feed_id, []).append((-int(n), outlet))
    return {k: tuple(o for _, o in sorted(v)) for k, v in counts.items()}


def _feed_view(feed: Feed, health: FeedHealth | None, carried: tuple[str, ...] = ()) -> FeedView:
    """Shown to people (site, API, CLI): credentials in the URL and reasons are redacted."""
    return FeedView(
        id=feed.id,
        url=redact_url(feed.url),
        title=feed.title,
        active=feed.active,
        last_status=health.last_status if health else None,
        last_error=redact_secrets(health.last_error) if health and health.last_error else None,
        last_warning=(
            redact_secrets(health.last_warning) if health and health.last_warning else None
        ),
        consecutive_failures=health.consecutive_failures if health else 0,
        last_fetched_at=health.last_fetched_at if health else None,
        items_seen=health.items_seen if health else 0,
        outlets=carried,
    )


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
