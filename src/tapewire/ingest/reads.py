"""The ingest stage's Core reads of feeds and their health, without the ORM: ``tapewire feeds
list`` and ``status`` load no ``sqlalchemy.orm`` (CLI start-up, issue #16). The site and the API
read feeds through the same functions (``ingest.queries`` re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, column, func, select

from tapewire.net.redact import redact_secrets, redact_url
from tapewire.store import Store
from tapewire.store.light import light_table
from tapewire.store.types import UTCDateTime

_feed = light_table(
    "feed",
    column("id", Integer()),
    column("url", String()),
    column("title", String()),
    column("active", Boolean()),
)
_health = light_table(
    "feed_health",
    column("feed_id", Integer()),
    column("last_status", Integer()),
    column("last_error", String()),
    column("last_warning", String()),
    column("consecutive_failures", Integer()),
    column("last_fetched_at", UTCDateTime()),
    column("items_seen", Integer()),
)
_item = light_table(
    "news_item",
    column("id", Integer()),
    column("feed_id", Integer()),
    column("outlet", String()),
)


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


def feeds(store: Store) -> list[FeedView]:
    """Every feed with its health (none yet: never fetched), by id."""
    query = (
        select(
            _feed.c.id,
            _feed.c.url,
            _feed.c.title,
            _feed.c.active,
            _health.c.feed_id,
            _health.c.last_status,
            _health.c.last_error,
            _health.c.last_warning,
            _health.c.consecutive_failures,
            _health.c.last_fetched_at,
            _health.c.items_seen,
        )
        .select_from(_feed.outerjoin(_health, _health.c.feed_id == _feed.c.id))
        .order_by(_feed.c.id)
    )
    with store.connect() as c:
        rows = c.execute(query).all()
        carried = _feed_outlets(c)
    return [_feed_view(tuple(row), carried.get(row[0], ())) for row in rows]


def _feed_outlets(c: Any) -> dict[int, tuple[str, ...]]:
    """Feed id -> the outlets of its stored items, most items first (ties by name)."""
    counts: dict[int, list[tuple[int, str]]] = {}
    for feed_id, outlet, n in c.execute(
        select(_item.c.feed_id, _item.c.outlet, func.count(_item.c.id))
        .where(_item.c.feed_id.is_not(None))
        .group_by(_item.c.feed_id, _item.c.outlet)
    ).all():
        if feed_id is not None:
            counts.setdefault(feed_id, []).append((-int(n), outlet))
    return {k: tuple(o for _, o in sorted(v)) for k, v in counts.items()}


def _feed_view(row: tuple[Any, ...], carried: tuple[str, ...] = ()) -> FeedView:
    """Shown to people (site, API, CLI): credentials in the URL and reasons are redacted."""
    id_, url, title, active, health_of, status, error, warning, failures, fetched, seen = row
    health = health_of is not None  # the outer join found a feed_health row
    return FeedView(
        id=id_,
        url=redact_url(url),
        title=title,
        active=active,
        last_status=status if health else None,
        last_error=redact_secrets(error) if health and error else None,
        last_warning=redact_secrets(warning) if health and warning else None,
        consecutive_failures=failures if health else 0,
        last_fetched_at=fetched if health else None,
        items_seen=seen if health else 0,
        outlets=carried,
    )


def failing_feeds(store: Store) -> list[dict[str, Any]]:
    """Active feeds failing now, most consecutive failures first (``tapewire status``)."""
    query = (
        select(_feed.c.url, _health.c.consecutive_failures, _health.c.last_error)
        .select_from(_feed.join(_health, _health.c.feed_id == _feed.c.id))
        .where(_feed.c.active, _health.c.consecutive_failures > 0)
        .order_by(_health.c.consecutive_failures.desc(), _feed.c.url)
    )
    with store.connect() as c:
        rows = c.execute(query).all()
    # credentials in a feed URL are never shown (``feeds list`` hid them; ``status`` did not)
    return [
        {"url": redact_url(r.url), "failures": r.consecutive_failures, "error": r.last_error}
        for r in rows
    ]
