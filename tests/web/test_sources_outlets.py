"""/sources and /api/sources: each feed once, with the outlets it carries (issue #10): a Google
News search feed carries Reuters and The Wall Street Journal, never "Google News"."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from tapewire.config import Settings
from tapewire.ingest.parse import parse_feed
from tapewire.ingest.stage import add_feed, normalize_items, save_items
from tapewire.store import Store, open_store
from tapewire.web.app import create_app
from tests.ingest.test_outlets import CNBC, GOOGLE_NEWS

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
FEEDS = {
    "https://news.google.com/rss/search?q=site:reuters.com+markets": GOOGLE_NEWS,
    "https://www.cnbc.com/id/100727362/device/rss/rss.html": CNBC,
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _fill(store: Store) -> None:
    for url, body in FEEDS.items():
        feed = parse_feed(body, url=url)
        with store.write() as s:
            feed_id, _ = add_feed(s, url, now=NOW, title=feed.title)
            items = normalize_items(feed, fetched_at=NOW, base_url=url)
            save_items(s, items, feed_id=feed_id, fetched_at=NOW)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    store = open_store(settings.database_url())
    _fill(store)
    transport = httpx.ASGITransport(app=create_app(settings, store=store))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
            yield c
    finally:
        store.close()


@pytest.mark.anyio
async def test_sources_page_lists_each_feed_once_with_its_outlets(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/sources")).text
    cells = re.findall(r'<td [^>]*data-testid="feed-outlets"[^>]*>(.*?)</td>', page)
    assert cells == ["Reuters, The Wall Street Journal", "CNBC"]
    for url in FEEDS:
        assert page.count(f">{url.replace('&', '&amp;')}</span>") == 1


@pytest.mark.anyio
async def test_api_sources_carries_outlets_per_feed(client: httpx.AsyncClient) -> None:
    feeds = (await client.get("/api/sources")).json()["feeds"]
    assert [f["outlets"] for f in feeds] == [["Reuters", "The Wall Street Journal"], ["CNBC"]]
    assert [f["title"] for f in feeds] == [
        '"site:reuters.com markets" - Google News',
        "International: Top News And Analysis",
    ]
