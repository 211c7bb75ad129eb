"""Issue #17 items 5 and 9: Host-header cache poisoning; invalid cursors; Atom for an unknown
instrument. Over the real app (httpx ASGI transport) on a real SQLite store."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest

from tapewire.config import Settings
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.store import open_store
from tapewire.web.app import create_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    store = open_store(settings.database_url())
    with store.write() as s:
        save_instrument(s, InstrumentSpec(symbol="ACME", name="Acme", asset_class="Stocks"))
    transport = httpx.ASGITransport(app=create_app(settings, store=store))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
            yield c
    finally:
        store.close()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(settings):
        yield c


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.anyio
async def test_a_foreign_host_does_not_poison_the_cached_atom_feed(
    client: httpx.AsyncClient,
) -> None:
    evil = await client.get("/feeds/briefs.atom", headers={"Host": "evil.example"})
    assert evil.status_code == 200
    for path in ("/feeds/briefs.atom", "/feeds/tags/market.atom", "/feeds/instruments/ACME.atom"):
        await client.get(path, headers={"Host": "EVIL.example."})  # same host, other spelling
        honest = await client.get(path)
        assert honest.status_code == 200
        assert "evil.example" not in honest.text.lower()
        assert "http://tapewire.test" in honest.text


@pytest.mark.anyio
async def test_public_url_builds_links_whatever_the_host(settings: Settings) -> None:
    fixed = settings.model_copy(
        update={"web": settings.web.model_copy(update={"public_url": "https://news.example.com"})}
    )
    async for client in _client(fixed):
        feed = await client.get("/feeds/briefs.atom", headers={"Host": "evil.example"})
        assert "evil.example" not in feed.text
        assert "https://news.example.com/feeds/briefs.atom" in feed.text


@pytest.mark.anyio
async def test_hosts_outside_the_allow_list_are_refused_with_security_headers(
    settings: Settings,
) -> None:
    strict = settings.model_copy(
        update={"web": settings.web.model_copy(update={"allowed_hosts": ["tapewire.test"]})}
    )
    async for client in _client(strict):
        evil = await client.get("/feeds/briefs.atom", headers={"Host": "evil.example"})
        assert evil.status_code == 400
        assert evil.headers["X-Content-Type-Options"] == "nosniff"
        assert "evil.example" not in evil.text
        ok = await client.get("/feeds/briefs.atom")
        assert ok.status_code == 200
        assert "http://tapewire.test/feeds/briefs.atom" in ok.text


BAD_CURSORS = [
    _b64("2026-11-30|1"),  # a naive time
    _b64("2026-11-30T00:00:00+00:00|" + str(2**63)),  # above BIGINT
    _b64("2026-11-30T00:00:00+00:00|" + str(10**30)),
    _b64("9999-12-31T23:59:59-12:00|1"),  # overflows when made UTC
    _b64("9999-01-01T00:00:00+00:00|1"),  # year 9999
    _b64("0001-01-01T00:00:00+00:00|1"),
    _b64("2026-11-30T00:00:00+00:00|-5"),
    _b64("2026-11-30T00:00:00+00:00|1|2"),
    _b64("\udcff".encode("utf-8", "surrogatepass").decode("latin-1")),
    "%%%",
    "!!!!",
]


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/", "/tags/market", "/api/briefs"])
@pytest.mark.parametrize("cursor", BAD_CURSORS)
async def test_invalid_cursors_are_a_400_with_security_headers(
    client: httpx.AsyncClient, path: str, cursor: str
) -> None:
    answer = await client.get(path, params={"cursor": cursor})
    assert answer.status_code == 400, answer.text
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "invalid cursor" in answer.text


@pytest.mark.anyio
async def test_atom_for_an_unknown_instrument_is_404(client: httpx.AsyncClient) -> None:
    answer = await client.get("/feeds/instruments/NOPE.atom")
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "no instrument NOPE"
    assert (await client.get("/feeds/instruments/ACME.atom")).status_code == 200
