"""The market brief on the site: its home-page section, the /market page (latest + archive), the
Atom feeds and the JSON API, over the real app and a week of the demo world (httpx ASGI)."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import feedparser
import httpx
import pytest

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.demo.run import run_demo_history
from tapewire.store import open_store
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF

# The demo week's equity sessions as of Nov 20, 2026 (Friday Nov 13, then Tuesday to Friday
# 00:00 carrying Monday to Thursday): one market brief each.
SLUGS = [f"market-2026-11-{d}" for d in (20, 19, 18, 17, 14)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from tapewire.config import load_settings

    tmp = tmp_path_factory.mktemp("week")
    settings = load_settings(
        data_dir=tmp, db={"url": str(tmp / "w.db")}, http={"allow_private_urls": True}
    )
    run_demo_history(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    return settings


@pytest.fixture
async def client(week: Settings) -> AsyncIterator[httpx.AsyncClient]:
    store = open_store(week.database_url())
    transport = httpx.ASGITransport(app=create_app(week, store=store))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
            yield c
    finally:
        store.close()


@pytest.mark.anyio
async def test_the_demo_world_writes_one_verified_market_brief_per_session(
    client: httpx.AsyncClient,
) -> None:
    listed = (await client.get("/api/briefs?tag=market&limit=100")).json()["briefs"]
    assert [b["slug"] for b in listed] == SLUGS
    doc = (await client.get(f"/api/briefs/{SLUGS[0]}")).json()
    assert doc["verification"]["ok"] and doc["verification"]["failed"] == 0
    assert doc["primary_tag"] == "market" and doc["category"] == "Macro" and doc["simulated"]
    facts = doc["facts"]
    # The demo's small-cap index is benchmarked to its large-cap one: the seed's pair.
    assert (facts["pair"]["small"], facts["pair"]["large"]) == ("^SMC", "^MKT")
    assert facts["assets"]["bitcoin"]["symbol"] == "DCN-USD"  # the stored crypto fills the slot
    lacks = {m["role"] for m in facts["missing"]}
    assert {"vix", "yield", "dollar", "oil", "gold", "sectors"} <= lacks
    analysis = "\n".join(doc["sections"]["analysis"])
    assert "Demo Small Cap 2000" in analysis and "standard deviations" in analysis
    assert "No data, no claim: this brief leaves out the VIX (no data)" in analysis


@pytest.mark.anyio
async def test_home_has_the_market_section_and_market_page_the_latest_and_archive(
    client: httpx.AsyncClient,
) -> None:
    latest = (await client.get(f"/api/briefs/{SLUGS[0]}")).json()
    home = (await client.get("/")).text
    assert 'data-testid="market-brief"' in home
    section = home.split('data-testid="market-brief"', 1)[1].split("</section>", 1)[0]
    assert f'href="/briefs/{SLUGS[0]}"' in section and latest["headline"] in section
    assert 'href="/market"' in home
    filtered = (await client.get("/?tag=acme")).text
    assert 'data-testid="market-brief"' not in filtered  # a filtered list is only what it asks

    page = await client.get("/market")
    assert page.status_code == 200
    top = html.unescape(
        page.text.split('data-testid="market-latest"', 1)[1].split("</article>", 1)[0]
    )
    assert f'data-slug="{SLUGS[0]}"' in top
    for text in [*latest["sections"]["analysis"], *latest["sections"]["watch"]]:
        assert text in top
    assert latest["sections"]["take"] in top
    archive = page.text.split('data-testid="market-archive"', 1)[1]
    for slug in SLUGS[1:]:
        assert f'data-slug="{slug}"' in archive
    assert "acme-" not in archive  # instrument briefs are not market briefs
    assert (await client.get(f"/briefs/{SLUGS[0]}")).status_code == 200


@pytest.mark.anyio
async def test_market_briefs_are_in_the_atom_feeds(client: httpx.AsyncClient) -> None:
    tagged = feedparser.parse((await client.get("/feeds/tags/market.atom")).text)
    assert [e.link.rsplit("/", 1)[1] for e in tagged.entries] == SLUGS
    assert all("market" in [t.term for t in e.tags] for e in tagged.entries)
    everything = feedparser.parse((await client.get("/feeds/briefs.atom")).text)
    assert f"http://tapewire.test/briefs/{SLUGS[0]}" in [e.link for e in everything.entries]


@pytest.mark.anyio
async def test_market_page_without_a_market_brief_says_why(settings: Settings) -> None:
    store = open_store(settings.database_url())
    transport = httpx.ASGITransport(app=create_app(settings, store=store))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
            page = await c.get("/market")
            home = await c.get("/")
    finally:
        store.close()
    assert page.status_code == 200 and 'data-testid="no-market-brief"' in page.text
    assert 'data-testid="market-brief"' not in home.text
