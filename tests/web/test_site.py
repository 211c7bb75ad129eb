"""The site, API, Atom feeds and live stream over the real app (httpx ASGI transport)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import httpx
import pytest
from defusedxml import ElementTree

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.demo.run import run_demo
from tapewire.ingest.stage import add_feed
from tapewire.net import HttpClient
from tapewire.signals import stage as signals_stage
from tapewire.store import Store, open_store
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF
from tests.support.pipeline import analyse_and_write
from tests.support.servers import serve_app

ATOM = "{http://www.w3.org/2005/Atom}"
PLANTED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Evil Wire</title>
<link>https://evil.example/</link>
<item><title>Acme Robotics &lt;script&gt;alert('t')&lt;/script&gt; surges</title>
<link>javascript:alert('x')</link><guid>evil-1</guid><pubDate>Thu, 19 Nov 2026 22:30:00 GMT</pubDate>
<description>&lt;script&gt;alert('s')&lt;/script&gt;&lt;a href="javascript:alert(1)" onclick="x()"&gt;Acme Robotics&lt;/a&gt; rallies</description></item>
</channel></rss>"""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _plant(settings: Settings, store: Store, tmp_path: Path) -> None:
    """A feed with a <script> and javascript: links, ingested before the demo writes its briefs."""
    feed = tmp_path / "evil.xml"
    feed.write_text(PLANTED)
    with store.write() as s:
        add_feed(s, str(feed), now=DEMO_AS_OF)


@pytest.fixture
async def client(settings: Settings, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    store = open_store(settings.database_url())
    _plant(settings, store, tmp_path)
    run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    transport = httpx.ASGITransport(app=create_app(settings, store=store))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
            yield c
    finally:
        store.close()


async def _all_pages(client: httpx.AsyncClient) -> dict[str, str]:
    pages = {"/": (await client.get("/")).text, "/sources": (await client.get("/sources")).text}
    for b in (await client.get("/api/briefs?limit=100")).json()["briefs"]:
        pages[b["url"]] = (await client.get(b["url"])).text
        for symbol in b["instruments"]:
            pages[f"/instruments/{symbol}"] = (await client.get(f"/instruments/{symbol}")).text
        pages[f"/tags/{b['primary_tag']}"] = (await client.get(f"/tags/{b['primary_tag']}")).text
    return pages


@pytest.mark.anyio
async def test_home_lists_briefs_with_the_simulated_label(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert "Simulated data" in page.text
    assert page.text.count('<li class="row"') == 6  # five instruments and the market
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


@pytest.mark.anyio
async def test_every_page_carries_the_simulated_label(client: httpx.AsyncClient) -> None:
    pages = await _all_pages(client)
    assert len(pages) >= 12
    for path, html in pages.items():
        assert 'data-testid="simulated-label"' in html, path


@pytest.mark.anyio
async def test_each_brief_page_has_the_seed_layout(client: httpx.AsyncClient) -> None:
    briefs = (await client.get("/api/briefs")).json()["briefs"]
    assert len(briefs) == 6  # five instruments and the market
    for b in briefs:
        text = (await client.get(b["url"])).text
        for heading in (
            "Analysis",
            "Watch",
            "Take",
            "Sources (",
            "Why Pulse",
            "Get Real-Time Alerts",
            "Related Articles",
        ):
            assert heading in text, (b["slug"], heading)
        assert f"Pulse {b['pulse']:.0f}/100" in text
        assert "claims grounded in the fact sheet" in text
        assert "<svg" in text and "<polyline" in text  # the chart with its levels


@pytest.mark.anyio
async def test_planted_script_and_javascript_links_never_reach_a_page(
    client: httpx.AsyncClient,
) -> None:
    pages = await _all_pages(client)
    # its javascript: link has no domain, so its outlet is "unknown outlet" (never the feed title)
    cited = [b for b in pages.values() if "unknown outlet" in b and "Evil Wire" not in b]
    assert cited, "the planted item should be cited by the ACME brief (it mentions Acme Robotics)"
    for path, html in pages.items():
        lowered = html.lower()
        assert "<script>alert" not in lowered, path
        assert "javascript:" not in lowered, path
        assert "onclick" not in lowered, path
        # only the site's own script files (live stream, the chart and its vendored library)
        assert lowered.count("<script") == lowered.count('<script src="/static/'), path


@pytest.mark.anyio
async def test_filters_search_and_cursor_pagination(client: httpx.AsyncClient) -> None:
    crypto = (await client.get("/api/briefs?category=Crypto")).json()["briefs"]
    assert [b["instruments"] for b in crypto] == [["DCN-USD"]]
    searched = (await client.get("/api/briefs?q=acme")).json()["briefs"]
    assert {tuple(b["instruments"]) for b in searched} == {("ACME",)}
    direction = crypto[0]["direction"]
    same = (await client.get(f"/api/briefs?direction={direction}")).json()["briefs"]
    assert all(b["direction"] == direction for b in same) and crypto[0]["slug"] in {
        b["slug"] for b in same
    }
    seen, cursor = [], None
    while True:
        url = "/api/briefs?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url)).json()
        seen += [b["slug"] for b in page["briefs"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 6
    bad = await client.get("/api/briefs?cursor=bm90LWEtY3Vyc29y")
    assert bad.status_code == 400 and bad.json()["error"]["message"].startswith("invalid cursor")
    home = await client.get("/?category=Crypto")
    assert home.text.count('<li class="row"') == 1


@pytest.mark.anyio
async def test_api_etag_cache_control_and_json_errors(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/briefs")
    assert first.headers["Cache-Control"].startswith("public") and first.headers["ETag"]
    again = await client.get("/api/briefs", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    slug = first.json()["briefs"][0]["slug"]
    doc = (await client.get(f"/api/briefs/{slug}")).json()
    assert doc["verification"]["ok"] is True
    missing = await client.get("/api/briefs/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"status": 404, "message": "no brief nope"}}
    invalid = await client.get("/api/briefs?limit=0")
    assert invalid.status_code == 422 and "limit" in invalid.json()["error"]["message"]
    assert (await client.get("/briefs/nope")).status_code == 404
    instruments = (await client.get("/api/instruments")).json()["instruments"]
    assert {i["symbol"] for i in instruments} == {"^MKT", "^SMC", "MKTX", "ACME", "DCN-USD"}
    levels = (await client.get("/api/instruments/ACME/levels")).json()
    assert levels["bar_date"] == "2026-11-19" and levels["levels"]
    zoned = [lv for lv in levels["levels"] if lv["zone_low"] is not None]
    assert zoned and all(lv["zone_low"] <= lv["price"] <= lv["zone_high"] for lv in zoned)
    page = (await client.get("/instruments/ACME")).text
    low, high = zoned[0]["zone_low"], zoned[0]["zone_high"]
    assert f"{low:,.2f} \u2013 {high:,.2f}" in page  # the zone is on the instrument page
    signals = (await client.get("/api/instruments/ACME/signals")).json()["signals"]
    assert signals[-1]["direction"] in {"Bullish", "Neutral", "Bearish"}
    assert (await client.get("/api/stories")).json()["stories"]
    sources = (await client.get("/api/sources")).json()
    assert len(sources["feeds"]) == 6 and len(sources["providers"]) == 5


@pytest.mark.anyio
async def test_atom_feeds_are_valid_atom_1_0(client: httpx.AsyncClient) -> None:
    slug_tag = (await client.get("/api/briefs")).json()["briefs"][0]["primary_tag"]
    for path in (
        "/feeds/briefs.atom",
        f"/feeds/tags/{slug_tag}.atom",
        "/feeds/instruments/ACME.atom",
    ):
        response = await client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "application/atom+xml"
        )
        root = ElementTree.fromstring(response.content)
        assert root.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated", "author"):
            assert root.find(f"{ATOM}{required}") is not None, (path, required)
        entries = root.findall(f"{ATOM}entry")
        assert entries, path
        for entry in entries:
            for required in ("id", "title", "updated", "link", "summary"):
                assert entry.find(f"{ATOM}{required}") is not None, (path, required)
            assert entry.findtext(f"{ATOM}id", "").startswith("tag:tapewire,")
            datetime.fromisoformat(entry.findtext(f"{ATOM}updated", "").replace("Z", "+00:00"))
        parsed = feedparser.parse(response.content)
        assert (
            parsed.version == "atom10" and not parsed.bozo and len(parsed.entries) == len(entries)
        )


@pytest.mark.anyio
async def test_stream_sends_new_briefs_and_signal_changes(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    latest = (await client.get("/api/briefs?limit=100")).json()["briefs"]
    assert len(latest) == 6
    async with client.stream("GET", "/api/stream?since=0&limit=6") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join([chunk async for chunk in response.aiter_text()])
    events = [block for block in body.split("\n\n") if block.startswith("event: brief")]
    assert len(events) == 6
    slugs = {json.loads(e.split("data: ", 1)[1])["slug"] for e in events}
    assert slugs == {b["slug"] for b in latest}


def test_new_signals_appear_on_a_live_stream(settings: Settings) -> None:
    """Over real HTTP (uvicorn on loopback): a signal stored after connecting is pushed."""
    run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    fast = settings.model_copy(
        update={"web": settings.web.model_copy(update={"stream_poll_s": 0.1})}
    )
    store = open_store(settings.database_url())
    try:
        with (
            serve_app(create_app(fast, store=store)) as base,
            httpx.Client(base_url=base, timeout=20) as http,
            http.stream("GET", "/api/stream?limit=1") as response,
        ):
            lines = response.iter_lines()
            assert next(lines).startswith("retry:")  # connected: everything after this is new
            later = datetime(2026, 11, 21, tzinfo=UTC)
            with HttpClient(settings.http) as fetcher:
                ctx = RunContext(
                    store=store,
                    settings=settings,
                    as_of=later,
                    http=fetcher,
                    clock=FixedClock(later),
                )
                signals_stage.run(ctx)
            body = "\n".join(lines)
    finally:
        store.close()
    assert "event: signal" in body and '"direction"' in body and "2026-11-21" in body


@pytest.mark.anyio
async def test_cached_answers_refresh_when_a_brief_is_written(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    before = (await client.get("/api/briefs?limit=100")).json()["briefs"]
    again = await client.get("/api/briefs?limit=100")
    assert again.json()["briefs"] == before  # served from the cache
    later = datetime(2026, 11, 21, tzinfo=UTC)  # Saturday: DemoCoin has a new bar
    analyse_and_write(settings, later)
    await asyncio.sleep(1.1)  # the cache checks the store's generation once a second
    after = (await client.get("/api/briefs?limit=100")).json()["briefs"]
    assert len(after) > len(before)
