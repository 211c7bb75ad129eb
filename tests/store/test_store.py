"""The store on SQLite and Postgres: migrations, UTC datetimes, transactions, constraints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from tapewire.ingest.models import Feed
from tapewire.market.models import Bar, Instrument
from tapewire.schema import metadata
from tapewire.store import Store, open_store
from tapewire.store.core import alembic_config


def test_migrations_create_every_table_on_an_empty_database(store: Store) -> None:
    assert set(metadata.tables) <= set(store.table_names())
    assert store.current_revision() is not None


def test_upgrade_is_idempotent(store: Store) -> None:
    before = store.current_revision()
    store.upgrade()
    assert store.current_revision() == before


def test_models_and_migrations_agree(store: Store) -> None:
    """Autogenerate finds nothing to do: the migration scripts match the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert alembic_config(store.url).get_main_option("script_location")


def test_datetimes_come_back_utc_aware(store: Store) -> None:
    at = datetime(2026, 3, 1, 15, 30, tzinfo=timezone(timedelta(hours=-5)))
    with store.write() as s:
        s.add(Feed(url="https://example.com/a.xml", active=True, added_at=at))
    with store.read() as s:
        back = s.scalars(select(Feed.added_at)).one()
    assert back.tzinfo is not None
    assert back == at
    assert back.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"), store.write() as s:
        s.add(Feed(url="https://example.com/naive.xml", active=True, added_at=datetime(2026, 1, 1)))  # noqa: DTZ001
        s.flush()


def test_failed_write_rolls_back_and_keeps_earlier_rows(store: Store) -> None:
    with store.write() as s:
        s.add(Instrument(symbol="AAA", name="A", asset_class="Stocks", aliases=[]))
    with pytest.raises(IntegrityError), store.write() as s:
        s.add(Instrument(symbol="BBB", name="B", asset_class="Stocks", aliases=[]))
        s.flush()
        s.add(Instrument(symbol="AAA", name="dup", asset_class="Stocks", aliases=[]))
        s.flush()
    with store.read() as s:
        assert sorted(s.scalars(select(Instrument.symbol))) == ["AAA"]


def test_one_bar_per_instrument_and_day(store: Store) -> None:
    with store.write() as s:
        inst = Instrument(symbol="AAA", name="A", asset_class="Stocks", aliases=[])
        s.add(inst)
        s.flush()
        inst_id = inst.id
        s.add(
            Bar(
                instrument_id=inst_id, bar_date=date(2026, 1, 2), open=1, high=2, low=0.5, close=1.5
            )
        )
    with pytest.raises(IntegrityError), store.write() as s:
        s.add(
            Bar(
                instrument_id=inst_id, bar_date=date(2026, 1, 2), open=1, high=2, low=0.5, close=1.5
            )
        )


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    s = open_store(f"sqlite:///{tmp_path / 'wal.db'}", busy_timeout_ms=4321)
    try:
        with s.read() as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA busy_timeout")).scalar() == 4321
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        s.close()


def test_a_bad_database_url_is_a_config_error(tmp_path: Path) -> None:
    from tapewire.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot open database"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(ConfigError, match="invalid database URL"):
        Store("::not a url::")
    assert datetime.now(UTC)  # keeps DTZ happy about the import


def test_a_read_inside_a_page_connection_takes_no_second_pool_checkout(store: Store) -> None:
    """A page holds one connection (``connect()``); a query written with ``read()`` took a
    second checkout, and 32 concurrent brief pages ran the pool (5 + 10) dry (found under load
    by the desk branch). Now ``read()`` inside ``connect()`` runs on the page's connection."""
    pool = store.engine.pool
    with store.write() as s:
        s.add(
            Feed(
                url="https://example.com/rss",
                active=True,
                added_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
    with store.connect() as c:
        c.execute(text("SELECT 1"))
        held = pool.checkedout()  # type: ignore[attr-defined]
        with store.read() as s:
            assert s.scalars(select(Feed.url)).all() == ["https://example.com/rss"]
            assert pool.checkedout() == held  # type: ignore[attr-defined]
        assert c.execute(text("SELECT 1")).scalar() == 1  # the page's connection still works
    with store.read() as s:  # outside a page: its own session, as before
        assert s.scalars(select(Feed.url)).all() == ["https://example.com/rss"]
