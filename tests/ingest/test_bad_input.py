"""Bad input through the real ingest stage over real HTTP: each bad source gets a clear one-line
error on its health row, the run carries on, every good item is stored, nothing stored is lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

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


def rss(items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate></item>"
        for t, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Good Wire</title>'
        f"<link>https://good.example/</link>{body}</channel></rss>"
    ).encode()


GOOD = rss(
    [
        (f"Good story {i}", f"https://good.example/{i}", "Thu, 19 Nov 2026 21:00:00 GMT")
        for i in range(5)
    ]
)
BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>&lol3;</title>
<item><title>&lol3;</title><link>https://bomb.example/1</link></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/hostname">]><rss version="2.0">
<channel><title>x</title><item><title>&xxe;</title><link>https://xxe.example/1</link></item></channel></rss>"""
BAD_DATES = rss(
    [
        ("Dated in no known way", "https://dates.example/1", "the day after tomorrow"),
        ("Dated on a 13th month", "https://dates.example/2", "2026-13-45T99:00:00Z"),
    ]
)
HTML_PAGE = b"<!doctype html><html><head><title>Moved</title></head><body>Not a feed</body></html>"
BAD_ROUTES = {
    "/bomb.xml": (Route(body=BOMB), "declares XML entities"),
    "/xxe.xml": (Route(body=XXE), "declares XML entities"),
    "/huge.xml": (Route(body=b"<rss/>", declared_length=500_000_000), "cap"),
    "/endless.xml": (Route(stream_bytes=30_000_000), "cap"),
    "/page.html": (Route(body=HTML_PAGE, headers={"Content-Type": "text/html"}), "HTML page"),
    "/empty.xml": (Route(body=b""), "empty document"),
    "/loop": (Route(status=302, headers={"Location": "/loop"}), "too many redirects"),
    "/slow.xml": (Route(body=GOOD, drip_s=0.2), "too slow"),
    "/missing.xml": (Route(status=404, body=b"gone"), "HTTP 404"),
    "/down.xml": (Route(status=503, headers={"Retry-After": "0"}), "HTTP 503"),
}


def strict(settings: Settings) -> Settings:
    http = settings.http.model_copy(
        update={"max_body_bytes": 5_000_000, "total_timeout_s": 1.0, "timeout_s": 2.0, "retries": 1}
    )
    return settings.model_copy(update={"http": http})


def run_ingest(store: Store, settings: Settings) -> None:
    with HttpClient(settings.http, sleep=lambda _s: None) as http:
        ingest_stage.run(
            RunContext(store=store, settings=settings, as_of=NOW, http=http, clock=FixedClock(NOW))
        )


def health_by_path(store: Store) -> dict[str, FeedHealth]:
    with store.read() as s:
        rows = s.execute(
            select(Feed.url, FeedHealth).join(FeedHealth, FeedHealth.feed_id == Feed.id)
        ).all()
    return {url.split(":", 2)[2].split("/", 1)[1]: health for url, health in rows}


def stored_urls(store: Store) -> set[str]:
    with store.read() as s:
        return set(s.scalars(select(NewsItem.url)))


def test_bad_sources_are_recorded_and_good_items_all_stored(
    store: Store, settings: Settings
) -> None:
    settings = strict(settings)
    truncated = GOOD[: GOOD.index(b"<item><title>Good story 3")] + b"<item><title>Cut off"
    routes = {path: replace(route) for path, (route, _) in BAD_ROUTES.items()}  # fresh hit counts
    routes |= {
        "/good.xml": Route(body=GOOD),
        "/truncated.xml": Route(body=truncated),
        "/dates.xml": Route(body=BAD_DATES),
    }
    with serve_routes(routes) as base:
        with store.write() as s:
            for path in routes:
                add_feed(s, base + path, now=NOW)
        run_ingest(store, settings)
    health = health_by_path(store)
    for path, (_, reason) in BAD_ROUTES.items():
        row = health[path.lstrip("/")]
        assert row.consecutive_failures == 1, path
        assert row.last_error and reason in row.last_error and "\n" not in row.last_error, (
            path,
            row.last_error,
        )
    urls = stored_urls(store)
    assert {f"https://good.example/{i}" for i in range(5)} <= urls  # every good item
    assert not any("bomb.example" in u or "xxe.example" in u for u in urls)
    assert health["truncated.xml"].last_error is None
    assert "malformed XML" in (health["truncated.xml"].last_warning or "")
    assert health["dates.xml"].last_warning == "2 item(s) without a usable date got the fetch time"
    with store.read() as s:
        undated = s.scalars(
            select(NewsItem).where(NewsItem.url.startswith("https://dates.example/"))
        ).all()
    assert len(undated) == 2 and all(i.date_from_fetch and i.published_at == NOW for i in undated)
    assert routes["/down.xml"].hits == 2  # 503 retried once, then recorded
    assert routes["/missing.xml"].hits == 1  # 404 is not retried


def test_a_feed_that_breaks_later_keeps_what_it_gave(store: Store, settings: Settings) -> None:
    settings = strict(settings)
    route = Route(body=GOOD)
    with serve_routes({"/feed.xml": route}) as base:
        with store.write() as s:
            add_feed(s, base + "/feed.xml", now=NOW)
        run_ingest(store, settings)
        assert len(stored_urls(store)) == 5
        route.status, route.body = 500, b"boom"
        run_ingest(store, settings)
        run_ingest(store, settings)
    assert len(stored_urls(store)) == 5
    row = health_by_path(store)["feed.xml"]
    assert row.consecutive_failures == 2 and row.last_error == f"HTTP 500 from {base}/feed.xml"
    assert row.last_ok_at is not None and row.next_poll_at is not None and row.next_poll_at > NOW


def test_conditional_get_costs_no_parse(store: Store, settings: Settings) -> None:
    route = Route(body=GOOD, headers={"ETag": '"v1"'})
    with serve_routes({"/feed.xml": route}) as base:
        with store.write() as s:
            add_feed(s, base + "/feed.xml", now=NOW)
        run_ingest(store, settings)
        route.status, route.body = 304, b""  # a server that honours If-None-Match
        run_ingest(store, settings)
    row = health_by_path(store)["feed.xml"]
    assert row.last_status == 304 and row.etag == '"v1"' and row.items_seen == 5
    assert len(stored_urls(store)) == 5


@pytest.mark.parametrize("path", ["/bomb.xml", "/xxe.xml"])
def test_entity_documents_never_reach_a_parser(path: str) -> None:
    from tapewire.errors import BadInputError
    from tapewire.ingest.parse import parse_feed

    body = BAD_ROUTES[path][0].body
    with pytest.raises(BadInputError, match="declares XML entities"):
        parse_feed(body)
