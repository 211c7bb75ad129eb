"""Pages and the vendored chart library travel gzip-compressed to clients that accept it."""

from __future__ import annotations

import gzip

import httpx
import pytest

from tapewire.config import Settings
from tapewire.web.app import create_app

LIBRARY = "/static/vendor/lightweight-charts/lightweight-charts.standalone.production.js"


@pytest.mark.anyio
async def test_pages_and_the_chart_library_are_compressed_only_when_asked(
    settings: Settings,
) -> None:
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as c:
        lib = await c.get(LIBRARY, headers={"Accept-Encoding": "gzip"})
        async with c.stream("GET", LIBRARY, headers={"Accept-Encoding": "gzip"}) as raw:
            wire = b"".join([chunk async for chunk in raw.aiter_raw()])
        plain = await c.get(LIBRARY, headers={"Accept-Encoding": "identity"})
        home = await c.get("/", headers={"Accept-Encoding": "gzip"})
    assert lib.status_code == plain.status_code == 200
    assert lib.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers  # wrk and curl without --compressed: as is
    assert gzip.decompress(wire) == plain.content
    assert len(wire) < len(plain.content) / 2.5, (len(wire), len(plain.content))  # ~3x smaller
    assert lib.content == plain.content  # httpx decodes: the same library
    assert home.headers.get("content-encoding") == "gzip" and "<html" in home.text
    assert home.headers["content-security-policy"]  # still behind the security headers
