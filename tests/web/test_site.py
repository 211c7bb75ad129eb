"""The site and API over the real app (httpx ASGI transport) on a demo database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.demo.run import run_demo
from tapewire.store import open_store
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(settings.database_url())
    transport = httpx.ASGITransport(app=create_app(settings, store=store))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
            yield c
    finally:
        store.close()


async def test_home_lists_briefs_with_the_simulated_label(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert "Simulated data" in page.text
    assert page.text.count('<article class="card">') == 5
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in page.headers


async def test_each_brief_page_has_the_seed_layout(client: httpx.AsyncClient) -> None:
    briefs = (await client.get("/api/briefs")).json()["briefs"]
    assert len(briefs) == 5
    for b in briefs:
        page = await client.get(f"/briefs/{b['slug']}")
        assert page.status_code == 200
        text = page.text
        assert "Simulated data" in text
        for heading in (
            "Analysis",
            "Watch",
            "Take",
            "Sources (",
            "Why Pulse",
            "Get Real-Time Alerts",
        ):
            assert heading in text, (b["slug"], heading)
        assert f"Pulse {b['pulse']:.0f}/100" in text
        assert "claims grounded in the fact sheet" in text
        assert "<svg" in text  # the chart with its levels


async def test_api_brief_document_and_errors(client: httpx.AsyncClient) -> None:
    slug = (await client.get("/api/briefs?symbol=ACME")).json()["briefs"][0]["slug"]
    doc = (await client.get(f"/api/briefs/{slug}")).json()
    assert doc["instruments"] == ["ACME"] and doc["verification"]["ok"] is True
    missing = await client.get("/api/briefs/nope")
    assert missing.status_code == 404 and missing.json() == {"detail": "no brief nope"}
    assert (await client.get("/briefs/nope")).status_code == 404
    assert (await client.get("/api/openapi.json")).json()["info"]["title"] == "tapewire"
