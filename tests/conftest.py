"""Shared fixtures: a real SQLite file store, the same on Postgres when configured, contexts."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tapewire.clock import FixedClock
from tapewire.config import Settings, load_settings
from tapewire.context import RunContext
from tapewire.net import HttpClient
from tapewire.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
PG_ENV = "TAPEWIRE_TEST_DATABASE_URL"
DEMO_AS_OF = datetime(2026, 11, 20, tzinfo=UTC)  # a Friday 00:00 UTC: the last bar is Thursday's


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test saying why."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared/data not present ({path} missing): real-data test skipped")
    return path


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in list(os.environ):
        if key.startswith("TAPEWIRE_") and key != PG_ENV:
            monkeypatch.delenv(key)
    return load_settings(
        data_dir=tmp_path / "data",
        db={"url": str(tmp_path / "tapewire.db")},
        http={
            "allow_private_urls": True,
            "retries": 1,
            "timeout_s": 5.0,
            "per_host_delay_s": 0.0,  # loopback servers of our own; politeness has its own test
        },
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty Postgres database for one test, dropped afterwards."""
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"{PG_ENV} not set: Postgres store tests skipped (CI sets it)")
    name = f"tw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The store URL on both backends (Postgres only where configured)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def sqlite_store(settings: Settings) -> Iterator[Store]:
    s = open_store(settings.database_url())
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def make_ctx(settings: Settings) -> Iterator[object]:
    """Build RunContexts over a store; closes their HTTP clients afterwards."""
    clients: list[HttpClient] = []

    def _make(
        store: Store, as_of: datetime = DEMO_AS_OF, now: datetime | None = None
    ) -> RunContext:
        http = HttpClient(settings.http)
        clients.append(http)
        return RunContext(
            store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(now or as_of)
        )

    yield _make
    for client in clients:
        client.close()
