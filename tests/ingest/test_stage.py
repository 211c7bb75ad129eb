"""The ingest stage over real HTTP, on SQLite and Postgres: the demo world's feeds stored once,
conditional GETs on the next poll, bad feeds recorded on their health rows while good ones are
stored, and nothing stored lost when a feed breaks later."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext, StageReport
from tapewire.demo.server import LoopbackServer
from tapewire.demo.world import DemoWorld, build_world
from tapewire.ingest import stage as ingest_stage
from tapewire.ingest.models import FeedHealth
from tapewire.ingest.queries import FeedView, NewsItemView, count_items, feeds, news_items
from tapewire.ingest.stage import add_feed
from tapewire.net import HttpClient
from tapewire.store import Store
from tests.conftest import DEMO_AS_OF
from tests.support.loopback import Route, serve_routes
from tests.support.servers import logged

NOW = DEMO_AS_OF + timedelta(hours=6)
LATER = NOW + timedelta(hours=1)
EVER = datetime(2100, 1, 1, tzinfo=DEMO_AS_OF.tzinfo)
HTML_PAGE = b"<!doctype html><html><head><title>Moved</title></head><body>See /new</body></html>"


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return build_world(seed=7, as_of=DEMO_AS_OF)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Small caps, so an oversize body is quick to send."""
    http = settings.http.model_copy(update={"max_body_bytes": 1_000_000, "retries": 1})
    return settings.model_copy(update={"http": http})


@pytest.fixture
def http(settings: Settings) -> Iterator[HttpClient]:
    with HttpClient(settings.http, sleep=lambda _s: None) as client:
        yield client


def run(store: Store, settings: Settings, http: HttpClient, now: datetime = NOW) -> StageReport:
    ctx = RunContext(store=store, settings=settings, as_of=now, http=http, clock=FixedClock(now))
    return ingest_stage.run(ctx)


def register(store: Store, urls: list[str]) -> None:
    with store.write() as s:
        for url in urls:
            add_feed(s, url, now=NOW)


def stored(store: Store) -> list[NewsItemView]:
    return news_items(store, until=EVER)


def health(store: Store) -> dict[str, FeedView]:
    """Feed rows by path (``/feeds/x.xml``)."""
    return {"/" + view.url.split("/", 3)[3]: view for view in feeds(store)}


def demo_paths(world: DemoWorld) -> list[str]:
    return [outlet.feed_path for outlet in world.outlets]


def expected_items(world: DemoWorld) -> set[tuple[str, str, datetime, str, str]]:
    domain_of = {o.name: o.domain for o in world.outlets}
    return {(n.url, n.title, n.published_at, domain_of[n.outlet], n.outlet) for n in world.news}


def as_rows(items: list[NewsItemView]) -> set[tuple[str, str, datetime, str, str]]:
    return {
        (i.url, i.title, i.published_at, i.publisher_domain, i.publisher_name or "") for i in items
    }


def test_demo_feeds_are_stored_once_then_polled_conditionally(
    store: Store, settings: Settings, http: HttpClient, world: DemoWorld
) -> None:
    with LoopbackServer(world.files) as server:
        register(store, [server.base_url + path for path in demo_paths(world)])
        first = run(store, settings, http)
        first_requests = logged(server, 5)
        second = run(store, settings, http, now=LATER)
        second_requests = logged(server, 10)[5:]
    assert first.errors == [] and first.counts == {"feeds": 5, "new_items": len(world.news)}
    items = stored(store)
    assert len(items) == count_items(store) == len(world.news) == 37
    assert as_rows(items) == expected_items(world)
    assert not any(i.date_from_fetch for i in items)
    assert all(i.summary and "<" not in i.summary for i in items)
    assert sorted(first_requests) == sorted((path, 200) for path in demo_paths(world))

    assert second.errors == [] and second.counts == {"feeds": 5, "new_items": 0}
    assert sorted(second_requests) == sorted((path, 304) for path in demo_paths(world))
    assert count_items(store) == len(world.news)
    per_outlet = {o.feed_path: sum(n.outlet == o.name for n in world.news) for o in world.outlets}
    for path, view in health(store).items():
        assert view.last_status == 304 and view.last_error is None, path
        assert view.consecutive_failures == 0 and view.last_fetched_at == LATER
        assert view.items_seen == per_outlet[path]  # from the last full fetch
    with store.read() as s:
        etags = set(s.scalars(select(FeedHealth.etag)))
    assert len(etags) == 5 and all(e and e.startswith('"') for e in etags)


BAD = {
    "/missing.xml": (Route(status=404, body=b"not here"), "HTTP 404"),
    "/broken.xml": (Route(status=500, body=b"boom"), "HTTP 500"),
    "/page.xml": (Route(body=HTML_PAGE, headers={"Content-Type": "text/html"}), "HTML page"),
    "/empty.xml": (Route(body=b""), "empty document"),
    "/huge.xml": (Route(body=b"<rss/>", declared_length=500_000_000), "over the 1000000-byte cap"),
    "/endless.xml": (Route(stream_bytes=3_000_000), "body over the 1000000-byte cap"),
}


def test_bad_feeds_are_recorded_while_every_good_item_is_stored(
    store: Store, settings: Settings, http: HttpClient, world: DemoWorld
) -> None:
    routes = {path: replace(route) for path, (route, _) in BAD.items()}  # fresh hit counts
    with LoopbackServer(world.files) as good, serve_routes(routes) as bad:
        urls = [good.base_url + p for p in demo_paths(world)] + [bad + p for p in routes]
        register(store, urls)
        report = run(store, settings, http)
    assert report.counts == {"feeds": 11, "new_items": len(world.news)}
    assert len(report.errors) == len(BAD)
    assert as_rows(stored(store)) == expected_items(world)
    rows = health(store)
    for path, (_, reason) in BAD.items():
        row = rows[path]
        assert row.last_error is not None and reason in row.last_error, (path, row.last_error)
        assert "\n" not in row.last_error and len(row.last_error) <= 1000
        assert row.consecutive_failures == 1 and row.last_status is None, path
        assert row.items_seen == 0
    for path in demo_paths(world):
        assert rows[path].last_error is None and rows[path].last_status == 200
    assert routes["/broken.xml"].hits == 2  # a 5xx is retried once
    assert routes["/missing.xml"].hits == 1  # a 404 is not


def test_a_feed_that_breaks_later_keeps_what_it_gave(
    store: Store, settings: Settings, http: HttpClient, world: DemoWorld
) -> None:
    body = world.files["/feeds/marketpulse.xml"][0]
    route = Route(body=body, headers={"ETag": '"mp-1"'})
    with serve_routes({"/feeds/marketpulse.xml": route}) as base:
        register(store, [base + "/feeds/marketpulse.xml"])
        run(store, settings, http)
        before = as_rows(stored(store))
        route.status, route.body, route.headers = 500, b"boom", {}
        run(store, settings, http, now=LATER)
        after_one = health(store)["/feeds/marketpulse.xml"]
        run(store, settings, http, now=LATER + timedelta(hours=1))
        after_two = health(store)["/feeds/marketpulse.xml"]
        route.status, route.body = 200, body  # back again: no duplicates, health reset
        run(store, settings, http, now=LATER + timedelta(hours=2))
    assert len(before) == 13
    assert as_rows(stored(store)) == before
    assert after_one.consecutive_failures == 1
    assert after_one.last_error == f"HTTP 500 from {base}/feeds/marketpulse.xml"
    assert after_two.consecutive_failures == 2
    recovered = health(store)["/feeds/marketpulse.xml"]
    assert recovered.consecutive_failures == 0 and recovered.last_error is None
    assert recovered.last_status == 200 and recovered.items_seen == 13
    with store.read() as s:
        row = s.scalars(select(FeedHealth)).one()
        assert row.last_ok_at == LATER + timedelta(hours=2)
        assert row.etag is None  # the recovered server sent no ETag


def rss(title: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{link}</link>"
        "<pubDate>Thu, 19 Nov 2026 21:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return f'<rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'.encode()


def test_relative_links_are_resolved_against_the_feed_url(
    store: Store, settings: Settings, http: HttpClient
) -> None:
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>'
        b'<entry><title>Plex</title><link href="/blog/2013/01/30/Plex"/><id>tag:x,1</id>'
        b"<updated>2013-01-30T13:58:47-08:00</updated></entry>"
        b'<entry><title>Sibling</title><link href="next.html"/><id>tag:x,2</id>'
        b"<updated>2013-01-31T13:58:47-08:00</updated></entry></feed>"
    )
    with serve_routes({"/blog/index.atom": Route(body=atom)}) as base:
        register(store, [base + "/blog/index.atom"])
        run(store, settings, http)
    items = sorted(stored(store), key=lambda i: i.published_at)
    assert [i.url for i in items] == [base + "/blog/2013/01/30/Plex", base + "/blog/next.html"]
    assert {i.publisher_domain for i in items} == {"127.0.0.1"}


def test_items_whose_links_cannot_be_stored_are_skipped_not_fatal(
    store: Store, settings: Settings, http: HttpClient
) -> None:
    """A malformed link used to raise out of the stage (every later feed unpolled); a link or a
    feed title longer than its column did the same on Postgres, and so did a long ETag."""
    long_link = "https://wire.example/" + "x" * 3000
    links = [
        "https://wire.example/ok",
        "http://[broken/story",
        "https://wire.example:99999/x",
        long_link,
    ]
    routes = {
        "/odd.xml": Route(body=rss("Wire", links), headers={"ETag": '"' + "e" * 600 + '"'}),
        "/long-title.xml": Route(body=rss("T" * 400, ["https://titles.example/1"])),
        "/good.xml": Route(body=rss("Good", ["https://good.example/1"])),
    }
    with serve_routes(routes) as base:
        register(store, [base + path for path in routes])
        report = run(store, settings, http)
        again = run(store, settings, http, now=LATER)
    assert report.errors == [] and report.counts == {"feeds": 3, "new_items": 3}
    assert again.errors == [] and again.counts == {"feeds": 3, "new_items": 0}
    by_url = {i.url: i for i in stored(store)}
    assert set(by_url) == {
        "https://wire.example/ok",
        "https://titles.example/1",
        "https://good.example/1",
    }
    assert by_url["https://titles.example/1"].publisher_name == "T" * 255
    odd = health(store)["/odd.xml"]
    assert odd.last_error is None and odd.items_seen == 1
    assert odd.last_warning == "3 item(s) with a malformed or over-long link skipped"
    with store.read() as s:  # an ETag too long to store is dropped: the next fetch is plain
        assert set(s.scalars(select(FeedHealth.etag))) == {None}


def test_the_live_loop_polls_only_feeds_that_are_due(
    store: Store, settings: Settings, http: HttpClient
) -> None:
    """A failing feed backs off (feeds.poll_minutes x 2^failures); `tapewire run` honours it,
    while a feed that answered is polled again once its poll time has come."""
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item><title>One'
        b"</title><link>https://w.example/1</link></item></channel></rss>"
    )
    good, bad = Route(body=rss), Route(status=503)
    with serve_routes({"/good.xml": good, "/bad.xml": bad}) as base:
        register(store, [f"{base}/good.xml", f"{base}/bad.xml"])

        def live(now: datetime) -> StageReport:
            ctx = RunContext(
                store=store, settings=settings, as_of=now, http=http, clock=FixedClock(now)
            )
            return ingest_stage.run(ctx, due_only=True)

        first = live(NOW)
        assert first.counts["feeds"] == 2 and good.hits == 1 and bad.hits == 2  # one retry
        again = live(NOW + timedelta(minutes=5))  # nothing is due yet
        assert again.counts == {"not_due": 2} and good.hits == 1 and bad.hits == 2
        poll = timedelta(minutes=settings.feeds.poll_minutes)
        later = live(NOW + poll)  # the good feed is due; the failing one backs off to 2 polls
        assert later.counts["not_due"] == 1 and good.hits == 2 and bad.hits == 2
        live(NOW + 2 * poll)
        assert good.hits == 3 and bad.hits == 4
        run(store, settings, http, NOW + 2 * poll)  # a pass outside the live loop polls all
        assert good.hits == 4 and bad.hits == 6


def test_feeds_on_different_hosts_are_fetched_at_once(
    store: Store, settings: Settings, http: HttpClient
) -> None:
    """Two slow feeds on two host names take about as long as one (feeds.fetch_workers)."""
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title></channel></rss>'
    a, b = Route(body=rss, delay_s=0.6), Route(body=rss, delay_s=0.6)
    with serve_routes({"/a.xml": a, "/b.xml": b}) as base:
        register(store, [f"{base}/a.xml", base.replace("127.0.0.1", "localhost") + "/b.xml"])
        started = time.monotonic()
        report = run(store, settings, http)
        took = time.monotonic() - started
    assert report.errors == [] and a.hits == b.hits == 1
    assert took < 1.1, took  # one after the other would take 1.2 s at least


def test_a_feeds_new_items_are_one_insert_statement(store: Store) -> None:
    """Items are written as one multi-row insert inside the feed's write transaction (the ORM's
    unit of work cost ~0.1 ms an item while every other writer waited on the write lock, #14),
    and an item already stored is skipped, as before."""
    from sqlalchemy import event, func

    from tapewire.ingest.models import NewsItem
    from tapewire.ingest.parse import parse_feed
    from tests.conftest import shared_data

    body = shared_data("feeds", "news_sitemaps_2023-12-01_mangled").glob("*.xml")
    feed = parse_feed(sorted(body)[0].read_bytes())
    items = ingest_stage.normalize_items(feed, fetched_at=DEMO_AS_OF)
    assert len(items) >= 20
    inserts: list[int] = []

    def count(
        _c: object, _cur: object, statement: str, params: object, _x: object, many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO NEWS_ITEM"):
            inserts.append(len(params) if many and isinstance(params, list | tuple) else 1)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with store.write() as s:
            first = ingest_stage.save_items(s, items[:10], feed_id=None, fetched_at=DEMO_AS_OF)
        with store.write() as s:
            rest = ingest_stage.save_items(s, items, feed_id=None, fetched_at=DEMO_AS_OF)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    distinct = len({i.canonical_url for i in items})
    assert (first, first + rest) == (len({i.canonical_url for i in items[:10]}), distinct)
    assert len(inserts) == 2  # one statement per feed, however many items
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(NewsItem)) == distinct
