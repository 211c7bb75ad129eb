"""Issue #17 item 17: feed credentials (``https://user:pw@host/rss``, ``?apikey=``, ``token=``,
``key=``) are redacted wherever a URL is shown or logged: /sources, /api/sources, the CLI's
output, health reasons and logs. One function does it (``tapewire.net.redact``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.ingest import stage as ingest_stage
from tapewire.ingest.models import FeedHealth
from tapewire.ingest.stage import add_feed
from tapewire.net import HttpClient
from tapewire.net.redact import redact_secrets, redact_url
from tapewire.store import open_store
from tapewire.web.app import create_app
from tests.support.cli import tapewire
from tests.support.loopback import Route, serve_routes

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SECRETS = ("s3cret-pw", "TOPSECRET1", "TOKEN2", "KEY3", "wireuser")
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
    b"<item><title>One</title><link>https://wire.example/1</link></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://wireuser:s3cret-pw@feeds.example/rss", "https://***@feeds.example/rss"),
        ("https://wireuser@feeds.example/rss", "https://***@feeds.example/rss"),
        (
            "https://feeds.example/rss?apikey=TOPSECRET1&q=x",
            "https://feeds.example/rss?apikey=***&q=x",
        ),
        ("https://feeds.example/rss?q=x&token=TOKEN2", "https://feeds.example/rss?q=x&token=***"),
        ("https://feeds.example/rss?key=KEY3", "https://feeds.example/rss?key=***"),
        (
            "https://feeds.example/rss?API_KEY=a&Access-Token=b",
            "https://feeds.example/rss?API_KEY=***&Access-Token=***",
        ),
        (
            "https://feeds.example/rss?q=markets&page=2",
            "https://feeds.example/rss?q=markets&page=2",
        ),
        ("/srv/feeds/wire.xml", "/srv/feeds/wire.xml"),
        ("http://[::1", "http://[::1"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_redact_secrets_finds_every_url_in_a_message() -> None:
    message = (
        "HTTP 404 from https://u:s3cret-pw@h.example/x?token=TOKEN2; retried http://a.example/b."
    )
    assert redact_secrets(message) == (
        "HTTP 404 from https://***@h.example/x?token=***; retried http://a.example/b."
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def fed(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """Two feeds with credentials, one failing (its reason holds the URL), ingested for real
    over loopback with every log record captured; then the real app over ASGI."""
    caplog.set_level(logging.DEBUG)
    store = open_store(settings.database_url())
    routes = {"/ok.xml": Route(body=FEED), "/missing.xml": Route(status=404)}
    with serve_routes(routes) as base:
        netloc = base.split("://", 1)[1]
        urls = [
            f"http://wireuser:s3cret-pw@{netloc}/ok.xml?apikey=TOPSECRET1",
            f"http://{netloc}/missing.xml?token=TOKEN2&key=KEY3",
        ]
        with store.write() as s:
            for url in urls:
                add_feed(s, url, now=NOW)
        with HttpClient(settings.http, sleep=lambda _s: None) as http:
            ingest_stage.run(
                RunContext(
                    store=store, settings=settings, as_of=NOW, http=http, clock=FixedClock(NOW)
                )
            )
    with store.read() as s:
        reasons = [h.last_error or "" for h in s.scalars(select(FeedHealth))]
    assert any("HTTP 404" in r for r in reasons)
    transport = httpx.ASGITransport(app=create_app(settings, store=store))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
            yield c, [caplog.text, *reasons]
    finally:
        store.close()


@pytest.mark.anyio
async def test_no_credential_on_the_site_the_api_in_health_or_in_logs(
    fed: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, recorded = fed
    page = (await client.get("/sources")).text
    api = (await client.get("/api/sources")).text
    for where, text in {
        "/sources": page,
        "/api/sources": api,
        "logs+health": "\n".join(recorded),
    }.items():
        for secret in SECRETS:
            assert secret not in text, (where, secret)
    assert "***@" in page and "apikey=***" in page and "token=***" in page
    assert "HTTP 404" in page  # the reason is still shown, redacted
    assert "apikey=***" in api


@pytest.mark.timeout(120)
def test_the_command_line_shows_no_credential(tmp_path: Path) -> None:
    with serve_routes({"/missing.xml": Route(status=404), "/ok.xml": Route(body=FEED)}) as base:
        netloc = base.split("://", 1)[1]
        bad = f"http://wireuser:s3cret-pw@{netloc}/missing.xml?apikey=TOPSECRET1"
        good = f"http://{netloc}/ok.xml?token=TOKEN2"
        db = ["--db", f"sqlite:///{tmp_path / 'tw.db'}"]
        added = tapewire(tmp_path, "feeds", "add", bad, *db)
        ingested = tapewire(tmp_path, "ingest", bad, good, *db)
        listed = tapewire(tmp_path, "feeds", "list", *db)
        as_json = tapewire(tmp_path, "feeds", "list", "--format", "json", *db)
    for done in (added, ingested, listed, as_json):
        assert "Traceback" not in done.stderr, done.stderr
        for secret in SECRETS:
            assert secret not in done.stdout + done.stderr, (done.args, secret)
    assert (
        "***@" in listed.stdout and "FAILING x1: refused http://***@" in listed.stdout
    )  # the reason too
