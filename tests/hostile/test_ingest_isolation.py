"""Issue #17 item 1: one bad feed never stops ingest. The probe's triggers (a JSON Feed dated
with a number, 100,000 nested ``[``, a pubDate in year 9999 at -12:00, a lone surrogate in a
JSON title) go through the real ingest stage over real HTTP next to a good feed: each bad source
is read cleanly or recorded on its health with a one-line reason, every good item is stored, and
the next pass runs the same way (``run`` does not fail forever)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.ingest import stage as ingest_stage
from tapewire.ingest.models import Feed, FeedHealth, NewsItem
from tapewire.ingest.stage import add_feed
from tapewire.net import HttpClient
from tapewire.store import Store
from tests.support.loopback import Route, serve_routes

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
INPUTS = Path(__file__).parent / "inputs"
GOOD = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Good Wire</title>'
    + b"".join(
        f"<item><title>Good story {i}</title><link>https://good.example/{i}</link>"
        f"<pubDate>Thu, 19 Nov 2026 21:00:00 GMT</pubDate></item>".encode()
        for i in range(5)
    )
    + b"</channel></rss>"
)


def probe_routes() -> dict[str, Route]:
    routes = {f"/{p.name}": Route(body=p.read_bytes()) for p in sorted(INPUTS.iterdir())}
    routes["/nested.json"] = Route(body=b"[" * 100_000)  # generated, not stored
    routes["/nested-items.json"] = Route(body=b'{"items":' + b"[" * 100_000)
    routes["/nested.xml"] = Route(body=b"<rss>" + b"<a>" * 100_000)
    routes["/good.xml"] = Route(body=GOOD)
    return routes


def run_ingest(store: Store, settings: Settings) -> None:
    with HttpClient(settings.http, sleep=lambda _s: None) as http:
        report = ingest_stage.run(
            RunContext(store=store, settings=settings, as_of=NOW, http=http, clock=FixedClock(NOW))
        )
    assert report.counts["feeds"] >= 1


def health_by_path(store: Store) -> dict[str, FeedHealth]:
    with store.read() as s:
        rows = s.execute(
            select(Feed.url, FeedHealth).join(FeedHealth, FeedHealth.feed_id == Feed.id)
        ).all()
    return {url.rsplit("/", 1)[1]: health for url, health in rows}


def stored(store: Store) -> dict[str, NewsItem]:
    with store.read() as s:
        return {item.url: item for item in s.scalars(select(NewsItem))}


def test_each_probe_trigger_costs_at_most_its_own_source(store: Store, settings: Settings) -> None:
    routes = probe_routes()
    with serve_routes(routes) as base:
        with store.write() as s:
            for path in routes:
                add_feed(s, base + path, now=NOW)
        run_ingest(store, settings)
        run_ingest(store, settings)  # the next pass runs the same way: nothing stuck
    health = health_by_path(store)
    items = stored(store)
    assert {f"https://good.example/{i}" for i in range(5)} <= set(items)
    for name in ("nested.json", "nested-items.json", "nested.xml"):
        row = health[name]
        assert row.consecutive_failures == 2, name
        assert row.last_error and "nested too deeply" in row.last_error, row.last_error
        assert "\n" not in row.last_error
    for name in ("json_date_int.json", "json_lone_surrogate.json", "rss_year_9999.xml"):
        assert health[name].last_error is None, (name, health[name].last_error)
    # a number is no date: the item keeps the fetch time and says so
    assert items["https://intdate.example/1"].date_from_fetch
    assert items["https://intdate.example/1"].published_at.replace(tzinfo=UTC) == NOW
    assert not items["https://intdate.example/2"].date_from_fetch
    # year 9999 at -12:00 and year 1 at +14:00 cannot be shown in UTC: no usable date
    for url in ("https://future.example/1", "https://future.example/2"):
        assert items[url].date_from_fetch, url
    assert health["rss_year_9999.xml"].last_warning == (
        "2 item(s) without a usable date got the fetch time"
    )
    assert items["https://future.example/a1"].date_from_fetch
    # a lone surrogate becomes U+FFFD, a NUL is dropped: storable on every store
    surrogate = items["https://surrogate.example/1"]
    assert surrogate.title == "Lone \ufffd surrogate"
    assert "\x00" not in surrogate.summary
    # fields of the wrong type count as absent
    assert "https://types.example/3" in items
    assert not any(u.startswith("['") for u in items)
    assert "nested too deeply" in (health["nested.xml"].last_error or "")


def test_a_parser_bug_costs_one_source(
    sqlite_store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seam: no known input breaks the parser any more, so a parser that raises stands for the
    next bug; the stage must record it on that feed's health and carry on."""
    from tapewire.ingest.parse import parse_feed as real_parse

    def parse(body: bytes, *, url: str = "") -> object:
        if url.endswith("/broken.xml"):
            raise AttributeError("'int' object has no attribute 'strip'")
        return real_parse(body, url=url)

    monkeypatch.setattr(ingest_stage, "parse_feed", parse)
    routes = {
        "/broken.xml": Route(body=GOOD),
        "/good.xml": Route(body=GOOD.replace(b"good.", b"ok.")),
    }
    with serve_routes(routes) as base:
        with sqlite_store.write() as s:
            for path in routes:
                add_feed(s, base + path, now=NOW)
        run_ingest(sqlite_store, settings)
    health = health_by_path(sqlite_store)
    error = health["broken.xml"].last_error or ""
    assert error.startswith("unexpected error reading") and "AttributeError" in error, error
    assert health["good.xml"].last_error is None
    assert {f"https://ok.example/{i}" for i in range(5)} <= set(stored(sqlite_store))


def test_a_store_error_costs_one_source(sqlite_store: Store, settings: Settings) -> None:
    """A write that the database refuses (a real SQLite trigger, not a mock) rolls back that
    source's items, records the reason on its health, and the other sources are stored."""
    with sqlite_store.write() as s:
        s.execute(
            text(
                "CREATE TRIGGER poison BEFORE INSERT ON news_item WHEN NEW.url LIKE "
                "'https://poison.example/%' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
            )
        )
    routes = {
        "/poison.xml": Route(body=GOOD.replace(b"good.", b"poison.")),
        "/good.xml": Route(body=GOOD),
    }
    with serve_routes(routes) as base:
        with sqlite_store.write() as s:
            for path in routes:
                add_feed(s, base + path, now=NOW)
        run_ingest(sqlite_store, settings)
    health = health_by_path(sqlite_store)
    error = health["poison.xml"].last_error or ""
    assert error.startswith("cannot store the items of") and "poisoned row" in error, error
    assert "\n" not in error and health["poison.xml"].consecutive_failures == 1
    items = stored(sqlite_store)
    assert {f"https://good.example/{i}" for i in range(5)} <= set(items)
    assert not any(u.startswith("https://poison.example/") for u in items)


def test_an_item_that_breaks_enrichment_costs_that_item(
    sqlite_store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seam: no known title breaks the theme reader, so one that raises stands for the next bug;
    the enrich stage reports that item and enriches the others."""
    from tapewire.enrich import stage as enrich_stage
    from tapewire.enrich.models import StoryItem
    from tapewire.enrich.themes import find_themes as real_find_themes

    def find_themes(title: str, summary: str) -> object:
        if title == "Good story 3":
            raise RecursionError("maximum recursion depth exceeded")
        return real_find_themes(title, summary)

    monkeypatch.setattr(enrich_stage, "find_themes", find_themes)
    with serve_routes({"/good.xml": Route(body=GOOD)}) as base:
        with sqlite_store.write() as s:
            add_feed(s, base + "/good.xml", now=NOW)
        run_ingest(sqlite_store, settings)
    with HttpClient(settings.http) as http:
        ctx = RunContext(
            store=sqlite_store, settings=settings, as_of=NOW, http=http, clock=FixedClock(NOW)
        )
        report = enrich_stage.run(ctx)
    assert len(report.errors) == 1 and "https://good.example/3" in report.errors[0]
    assert "RecursionError" in report.errors[0]
    with sqlite_store.read() as s:
        in_stories = set(s.scalars(select(StoryItem.news_item_id)))
        ids = {item.url: item.id for item in s.scalars(select(NewsItem))}
    assert {ids[f"https://good.example/{i}"] for i in (0, 1, 2, 4)} <= in_stories
    assert ids["https://good.example/3"] not in in_stories


def test_a_feed_of_too_many_items_keeps_the_first_ones(settings: Settings) -> None:
    """Items per feed are bounded: a feed listing more than ``MAX_ITEMS_PER_FEED`` (newest
    first, as feeds do) gives the first ones and says how many it skipped."""
    count = ingest_stage.MAX_ITEMS_PER_FEED + 7
    body = (
        b"<rss><channel><title>Long</title>"
        + b"".join(
            f"<item><title>Item {i}</title><link>https://long.example/{i}</link></item>".encode()
            for i in range(count)
        )
        + b"</channel></rss>"
    )
    with serve_routes({"/long.xml": Route(body=body)}) as base, HttpClient(settings.http) as http:
        fetched = ingest_stage.fetch_source(http, base + "/long.xml", now=NOW)
    assert len(fetched.items) == ingest_stage.MAX_ITEMS_PER_FEED
    assert fetched.items[-1].url == f"https://long.example/{ingest_stage.MAX_ITEMS_PER_FEED - 1}"
    assert fetched.warning and "7 item(s) beyond the first 10,000 skipped" in fetched.warning
