"""Feed bytes -> parsed items (pure). Thin version over feedparser; issue #3 adds the fast path."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from tapewire.errors import BadInputError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParsedItem:
    title: str
    url: str
    guid: str | None
    summary_html: str
    published_at: datetime | None  # None when the item carries no usable date


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    site_url: str | None
    items: tuple[ParsedItem, ...]


def parse_feed(body: bytes, *, url: str = "") -> ParsedFeed:
    """Parse RSS/Atom bytes.

    Raises:
        BadInputError: empty body, or not a feed (e.g. an HTML page).
    """
    if not body.strip():
        raise BadInputError(f"empty document from {url or 'input'}")
    parsed: Any = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=False)
    entries = parsed.get("entries", [])
    if not parsed.get("version") and not entries:
        reason = parsed.get("bozo_exception") or "no RSS/Atom root element"
        raise BadInputError(f"not a feed ({_one_line(reason)}): {url or 'input'}")
    items = tuple(item for item in (_parse_entry(e) for e in entries) if item is not None)
    feed = parsed.get("feed", {})
    return ParsedFeed(title=feed.get("title"), site_url=feed.get("link"), items=items)


def _parse_entry(entry: Any) -> ParsedItem | None:
    link = entry.get("link") or (
        entry.get("id") if str(entry.get("id", "")).startswith("http") else None
    )
    title = " ".join(str(entry.get("title", "")).split())
    if not link or not title:
        return None
    summary = entry.get("summary") or ""
    return ParsedItem(
        title=title,
        url=str(link).strip(),
        guid=entry.get("id"),
        summary_html=str(summary),
        published_at=_entry_date(entry),
    )


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return None


def _one_line(value: object) -> str:
    return " ".join(str(value).split())[:200]
