"""The Store: one engine, short read and write sessions, migrations.

On SQLite: WAL, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for writes, with one
in-process writer at a time, so a writer never fails half-way with "database is locked".
On PostgreSQL each write transaction takes one advisory lock first, so writers on one store
(two processes, a replay beside ``run``) are serialised the same way: a check-then-insert inside
one ``write()`` sees every earlier writer's rows. Decisions made in a *read* before the write
(a brief's slug) insert with ``ON CONFLICT DO NOTHING`` (``store.upsert``).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

from tapewire.errors import ConfigError

if TYPE_CHECKING:  # the ORM loads on the first session: a Core read never needs it (issue #16)
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_WRITE_OPTION = "tapewire_write"
MIGRATION_LOCK = 0x7461_7065  # "tape": the advisory lock id migrations hold on PostgreSQL
WRITE_LOCK = 0x7772_6974  # "writ": held by each write() transaction on PostgreSQL


class Store:
    """Access to the database; stages use ``read()`` and short ``write()`` blocks."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except Exception as exc:
            raise ConfigError(f"invalid database URL {url!r}: {exc}") from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            _configure_sqlite(self.engine, busy_timeout_ms)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._write_lock = threading.Lock()
        self._connection: ContextVar[Connection | None] = ContextVar(
            f"tapewire_store_connection_{id(self)}", default=None
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing is committed.

        Inside an open ``connect()`` block the session runs on that connection: a page that
        holds its connection and calls a query written with ``read()`` took a second pool
        checkout, and 32 concurrent requests ran the pool (5 + 10) dry (30 s timeouts)."""
        from sqlalchemy.orm import Session

        current = self._connection.get()
        if current is not None:
            with Session(bind=current, expire_on_commit=False) as session:
                yield session
            return
        with self._sessions() as session:
            yield session

    @functools.cached_property
    def _sessions(self) -> sessionmaker[Session]:
        """Made on the first ``read()``: a command whose reads are Core statements
        (``connect()``) never imports ``sqlalchemy.orm`` (CLI start-up, issue #16)."""
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @functools.cached_property
    def _write_sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self._write_engine, expire_on_commit=False)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for Core reads (no ORM session): the web's per-request queries, where
        a session's bookkeeping costs more than the query (#16). Nothing is committed.

        Re-entrant: inside an open ``connect()`` block (same thread or task) the same connection
        is reused, so a page's queries share one pool checkout and one transaction.
        """
        current = self._connection.get()
        if current is not None:
            yield current
            return
        with self.engine.connect() as connection:
            token = self._connection.set(connection)
            try:
                yield connection
            finally:
                self._connection.reset(token)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A short write transaction: committed on success, rolled back on error.

        Never hold it across network I/O.
        """
        load_referenced_models()
        lock = self._write_lock if self.is_sqlite else _NullLock()
        with lock, self._write_sessions() as session, session.begin():
            if not self.is_sqlite:  # one writer at a time, as SQLite's BEGIN IMMEDIATE gives
                session.execute(text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"))
            yield session

    def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to ``revision``."""
        from alembic import command

        # Two processes opening one store at once must not both migrate: on SQLite the
        # transaction takes the write lock first (BEGIN IMMEDIATE, waiting out the busy
        # timeout), on PostgreSQL a transaction-scoped advisory lock serialises them.
        with self._write_engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            cfg = alembic_config(self.url)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)

    def at_head(self) -> bool:
        """Whether the schema is at the newest migration, read without loading Alembic: the
        stored ``alembic_version`` against the head of the scripts (``script_head``)."""
        try:
            with self.engine.connect() as connection:
                stored = [
                    row[0]
                    for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                ]
        except Exception:  # no such table yet (an empty database): not at head
            return False
        return stored == [script_head()]

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, busy_timeout_ms: int = 5000) -> Store:
    """Open the store and bring its schema to the newest revision (idempotent).

    Raises:
        ConfigError: the database cannot be reached or migrated (one line, names it).
    """
    store = Store(url, busy_timeout_ms=busy_timeout_ms)
    try:
        if not store.at_head():  # the cheap check first: Alembic loads in 0.2 s (issue #16)
            store.upgrade()
    except Exception as exc:
        store.close()
        message = " ".join(str(exc).split())[:300]
        raise ConfigError(f"cannot open database {url}: {message}") from None
    return store


def load_referenced_models() -> None:
    """Every table a loaded table's foreign keys point at, in the metadata before a write.

    A foreign key across stages (``alert.brief_id``, ``entity_link.news_item_id``) is resolved
    at flush, in a process that may never have imported the other stage's models (a stage
    imports only its own); when one points at a table not loaded, every stage's models are
    loaded (``tapewire.schema``). Reads need only the models they query, and a write whose
    tables point only at loaded ones (``prices load``: the market's) loads nothing more: a CLI
    command no longer pays for all eleven model modules at start-up (issue #16). The check
    runs again only when the metadata has grown since the last one.
    """
    from tapewire.store.base import Base

    tables = Base.metadata.tables
    if len(tables) == _CHECKED["tables"]:
        return
    if any(
        fk.target_fullname.rsplit(".", 1)[0] not in tables
        for table in tables.values()
        for fk in table.foreign_keys
    ):
        import tapewire.schema  # noqa: F401
    _CHECKED["tables"] = len(tables)


_CHECKED = {"tables": -1}  # the metadata's size at the last check of load_referenced_models


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*[\"']([^\"']+)[\"']", re.M)


@functools.cache
def script_head() -> str | None:
    """The head of the migration scripts, from their ``revision``/``down_revision`` lines (a
    test holds it equal to Alembic's own head); None when the chain has no single head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for kind, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if kind == "revision" else parents).add(value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def alembic_config(url: str) -> Any:
    """An Alembic ``Config`` for our migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class _NullLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
