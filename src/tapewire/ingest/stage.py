"""Ingest stage: fetch each feed, parse, normalize, store new items; record each feed's health."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tapewire.context import RunContext, StageReport
from tapewire.errors import ConfigError, SourceError
from tapewire.ingest.language import item_language
from tapewire.ingest.models import Feed, FeedHealth, NewsItem
from tapewire.ingest.outlets import UNKNOWN_OUTLET, find_outlet
from tapewire.ingest.parse import ParsedFeed, ParsedItem, parse_feed
from tapewire.ingest.sanitize import canonical_url, clean_title, publisher_domain, summary_text
from tapewire.net import FetchResult, HttpClient
from tapewire.net.redact import redact_secrets, redact_url

log = logging.getLogger(__name__)
MAX_URL_CHARS = 2048  # news_item.url and .canonical_url: a longer link cannot be stored
MAX_ITEMS_PER_FEED = 10_000  # a feed lists its newest first; news sitemaps hold <= 1,000 URLs
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class NormalizedItem:
    url: str
    canonical_url: str
    guid: str | None
    title: str
    summary: str
    publisher_domain: str
    publisher_name: str | None
    published_at: datetime
    date_from_fetch: bool
    outlet: str = UNKNOWN_OUTLET  # who wrote it, as readers know it (ingest/outlets.py)
    language: str | None = None  # ISO 639-1 (ingest/language.py)


@dataclass(frozen=True, slots=True)
class SourceResult:
    """One source's outcome, for ``tapewire ingest`` output and tests."""

    source: str
    status: int | None
    error: str | None
    items: tuple[NormalizedItem, ...]
    new_items: int
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    result: FetchResult
    items: list[NormalizedItem]
    warning: str | None  # read, but something was off: say so on the health row


def normalize_items(
    feed: ParsedFeed, *, fetched_at: datetime, base_url: str = ""
) -> list[NormalizedItem]:
    """Pure: parsed items -> canonical, sanitized items; undated items get the fetch time.

    Relative links are resolved against ``base_url`` (the feed's own http(s) URL); an item whose
    link is malformed (``http://[x``, a port out of range) or too long to store is dropped.
    """
    items = []
    for item in feed.items:
        try:
            normalized = _normalize(item, feed, fetched_at, base_url)
        except ValueError:  # urlsplit's verdict on a malformed link
            continue
        if _UNSTORABLE.search(normalized.url):  # a NUL or lone surrogate in the link
            continue
        if max(len(normalized.url), len(normalized.canonical_url)) <= MAX_URL_CHARS:
            items.append(normalized)
    return items


def _absolute(link: str, base_url: str) -> str:
    """``/blog/2013/x`` in a feed fetched over http(s) -> an absolute link on the feed's host."""
    if link.startswith(("https://", "http://")) or not base_url.startswith(("http://", "https://")):
        return link  # the common case, decided without parsing
    return link if urlsplit(link).scheme else urljoin(base_url, link)


def _normalize(
    item: ParsedItem, feed: ParsedFeed, fetched_at: datetime, base_url: str
) -> NormalizedItem:
    url = _absolute(item.url, base_url)
    feed_title = feed.title
    outlet = find_outlet(
        url=url,
        title=" ".join(html.unescape(item.title).split()),
        source_name=item.source_name,
        source_url=item.source_url,
        publication=item.publication,
        publisher=item.publisher,
        creator=item.creator,
        feed_title=feed_title,
        feed_url=feed.site_url or base_url,
    )
    title = clean_title(clean_title(item.title, publisher=feed_title), publisher=outlet)
    summary = summary_text(item.summary_html)
    return NormalizedItem(
        url=url,
        canonical_url=canonical_url(url),
        guid=item.guid,
        title=title,
        summary=summary,
        publisher_domain=publisher_domain(url),
        publisher_name=clean_title(feed_title) if feed_title else None,
        published_at=item.published_at or fetched_at,
        date_from_fetch=item.published_at is None,
        outlet=outlet,
        language=item_language(item.language, feed.language, text=f"{title}. {summary}"),
    )


def fetch_source(
    http: HttpClient,
    url: str,
    *,
    now: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """Fetch and parse one source (no store access). 304 gives no items.

    Raises:
        SourceError: the fetch or the parse failed.
    """
    result = http.fetch(url, etag=etag, last_modified=last_modified)
    if result.not_modified:
        return Fetched(result, [], None)
    feed = parse_feed(result.body, url=url)
    warnings = [feed.warning] if feed.warning else []
    if len(feed.items) > MAX_ITEMS_PER_FEED:
        warnings.append(
            f"{len(feed.items) - MAX_ITEMS_PER_FEED} item(s) beyond the first "
            f"{MAX_ITEMS_PER_FEED:,} skipped"
        )
        feed = replace(feed, items=feed.items[:MAX_ITEMS_PER_FEED])
    items = normalize_items(feed, fetched_at=now, base_url=result.url)
    if len(items) < len(feed.items):
        skipped = len(feed.items) - len(items)
        warnings.append(f"{skipped} item(s) with a malformed or over-long link skipped")
    undated = sum(1 for item in items if item.date_from_fetch)
    if undated:
        warnings.append(f"{undated} item(s) without a usable date got the fetch time")
    return Fetched(result, items, "; ".join(warnings) or None)


def save_items(
    s: Session, items: Sequence[NormalizedItem], *, feed_id: int | None, fetched_at: datetime
) -> int:
    """Insert items not stored yet (by canonical URL); returns how many were new."""
    urls = {item.canonical_url for item in items}
    known = set(s.scalars(select(NewsItem.canonical_url).where(NewsItem.canonical_url.in_(urls))))
    rows = []
    for item in items:
        if item.canonical_url in known:
            continue
        known.add(item.canonical_url)
        rows.append({"feed_id": feed_id, "fetched_at": fetched_at, **_columns(item)})
    if rows:  # one multi-row Core insert: the ORM's unit of work cost ~0.1 ms an item, inside the
        # write transaction every writer takes in turn (PostgreSQL's advisory lock; #14)
        s.connection().execute(_ITEM_INSERT, rows)
    return len(rows)


_ITEM_INSERT = insert(NewsItem)


def _columns(item: NormalizedItem) -> dict[str, object]:
    return {
        "url": item.url,
        "canonical_url": item.canonical_url,
        "guid": storable(item.guid[:2048]) if item.guid else None,
        "title": storable(item.title[:1000]),
        "summary": storable(item.summary),
        "publisher_domain": storable(item.publisher_domain[:255]),
        "publisher_name": storable(item.publisher_name[:255]) if item.publisher_name else None,
        "published_at": item.published_at,
        "date_from_fetch": item.date_from_fetch,
        "outlet": storable(item.outlet[:255]),
        "language": storable(item.language[:8]) if item.language else None,
    }


def storable(text: str) -> str:
    """Text every store takes: no NUL (PostgreSQL refuses it), no lone surrogate (not UTF-8)."""
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def run(
    ctx: RunContext, *, due_only: bool = False, feed_ids: Collection[int] | None = None
) -> StageReport:
    """Poll every active feed once (with ``due_only``, those whose next poll time has come: the
    live loop, so a failing feed backs off). Up to ``feeds.fetch_workers`` fetch at once, each
    host politely (``net``); items are written here, in feed order, by one writer.

    ``feed_ids``: only these active feeds (a queued task's slice of the pass, ``tapewire.queue``).
    """
    report = StageReport("ingest")
    now = ctx.clock.now()
    with ctx.store.read() as s:
        rows = s.execute(
            select(
                Feed.id,
                Feed.url,
                FeedHealth.etag,
                FeedHealth.last_modified,
                FeedHealth.next_poll_at,
            )
            .outerjoin(FeedHealth, FeedHealth.feed_id == Feed.id)
            .where(Feed.active)
            .order_by(Feed.id)
        ).all()
    if feed_ids is not None:
        wanted = set(feed_ids)
        rows = [r for r in rows if r.id in wanted]
    due = [r for r in rows if not due_only or r.next_poll_at is None or r.next_poll_at <= now]
    if len(due) < len(rows):
        report.add("not_due", len(rows) - len(due))
    workers = max(1, min(ctx.settings.feeds.fetch_workers, len(due)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
        fetches = [
            pool.submit(_try_fetch, ctx.http, r.url, now, r.etag, r.last_modified) for r in due
        ]
        for row, fetch in zip(due, fetches, strict=True):
            result = _store_fetch(ctx, row.id, row.url, fetch.result(), now)
            report.add("feeds")
            report.add("new_items", result.new_items)
            if result.error:
                report.fail(row.url, result.error)
    return report


def _try_fetch(
    http: HttpClient, url: str, now: datetime, etag: str | None, modified: str | None
) -> Fetched | str:
    """Fetch and parse in a worker thread: the parsed source, or the one-line error."""
    try:
        return fetch_source(http, url, now=now, etag=etag, last_modified=modified)
    except (SourceError, ConfigError) as exc:
        return str(exc)
    except Exception as exc:  # a parser bug must cost one source, not the pass (issue #17)
        log.exception("unexpected error reading %s", redact_url(url))
        return f"unexpected error reading {url}: {one_line(exc)}"


def one_line(exc: BaseException) -> str:
    """``TypeName: message`` on one line, at most 300 characters (a health reason)."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]


def ingest_feed(ctx: RunContext, feed_id: int, url: str) -> SourceResult:
    """Fetch, parse and store one feed now (``tapewire ingest``)."""
    now = ctx.clock.now()
    with ctx.store.read() as s:
        health = s.scalars(select(FeedHealth).where(FeedHealth.feed_id == feed_id)).first()
        etag, modified = (health.etag, health.last_modified) if health else (None, None)
    return _store_fetch(ctx, feed_id, url, _try_fetch(ctx.http, url, now, etag, modified), now)


def _store_fetch(
    ctx: RunContext, feed_id: int, url: str, fetched: Fetched | str, now: datetime
) -> SourceResult:
    """Write one fetch's items and health (a short write transaction, no network inside)."""
    if not isinstance(fetched, str):
        try:
            with ctx.store.write() as s:
                new = save_items(s, fetched.items, feed_id=feed_id, fetched_at=now)
                _record_success(s, feed_id, fetched, now, ctx.settings.feeds.poll_minutes)
        except Exception as exc:  # the write rolled back; the feed's health says why
            log.exception("cannot store the items of %s", redact_url(url))
            fetched = f"cannot store the items of {url}: {one_line(exc)}"
    if isinstance(fetched, str):
        fetched = redact_secrets(fetched)
        log.warning("feed %s failed: %s", redact_url(url), fetched)
        with ctx.store.write() as s:
            _record_failure(s, feed_id, fetched, now, ctx.settings.feeds.poll_minutes)
        return SourceResult(redact_url(url), None, fetched, (), 0)
    warning = redact_secrets(fetched.warning) if fetched.warning else None
    return SourceResult(
        redact_url(url), fetched.result.status, None, tuple(fetched.items), new, warning
    )


def _health_row(s: Session, feed_id: int) -> FeedHealth:
    row = s.scalars(select(FeedHealth).where(FeedHealth.feed_id == feed_id)).first()
    if row is None:
        row = FeedHealth(feed_id=feed_id, consecutive_failures=0, items_seen=0)
        s.add(row)
    return row


def _record_success(
    s: Session, feed_id: int, fetched: Fetched, now: datetime, poll_minutes: int
) -> None:
    row = _health_row(s, feed_id)
    result = fetched.result
    row.last_status, row.last_error, row.consecutive_failures = result.status, None, 0
    row.last_fetched_at = row.last_ok_at = now
    row.next_poll_at = now + timedelta(minutes=poll_minutes)
    if not result.not_modified:
        row.etag, row.last_modified = _fit(result.etag, 512), _fit(result.last_modified, 128)
        row.items_seen = len(fetched.items)
        row.last_warning = redact_secrets(fetched.warning)[:1000] if fetched.warning else None


def _fit(validator: str | None, size: int) -> str | None:
    """A validator too long for its column is dropped: the next fetch is unconditional."""
    return validator if validator is not None and len(validator) <= size else None


def _record_failure(s: Session, feed_id: int, error: str, now: datetime, poll_minutes: int) -> None:
    row = _health_row(s, feed_id)
    row.last_status = None
    row.last_error = " ".join(error.split())[:1000]
    row.consecutive_failures = (row.consecutive_failures or 0) + 1
    row.last_fetched_at = now
    backoff = poll_minutes * min(2**row.consecutive_failures, 32)
    row.next_poll_at = now + timedelta(minutes=backoff)


def add_feed(s: Session, url: str, *, now: datetime, title: str | None = None) -> tuple[int, bool]:
    """Register a feed (idempotent); returns (id, created)."""
    existing = s.scalars(select(Feed).where(Feed.url == url)).first()
    if existing is not None:
        return existing.id, False
    feed = Feed(url=url, title=title, active=True, added_at=now)
    s.add(feed)
    s.flush()
    return feed.id, True


def move_feed(
    s: Session, *, path_suffix: str, host_prefix: str, new_url: str, now: datetime
) -> int:
    """Point a feed whose URL moved (same path, new host:port) at ``new_url``; returns its id.

    The demo's loopback server gets a new port per run; its feeds keep their rows and health.
    """
    moved = s.scalars(
        select(Feed).where(Feed.url.startswith(host_prefix), Feed.url.endswith(path_suffix))
    ).first()
    if moved is None:
        return add_feed(s, new_url, now=now)[0]
    if moved.url != new_url:
        taken = s.scalars(select(Feed).where(Feed.url == new_url)).first()
        if taken is not None and taken.id != moved.id:
            return taken.id
        moved.url = new_url
    moved.active = True
    return moved.id
