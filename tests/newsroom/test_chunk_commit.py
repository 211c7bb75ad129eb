"""A chunk of briefs is stored in one transaction with a savepoint per brief (issue #16: one
commit per chunk, not per brief). A brief the database refuses mid-chunk rolls back alone, with
its fact sheet, indexes and alerts; the others are published, and what follows a publication
(``after_brief_published``) runs after the commit, for the stored briefs only. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import delete, event, func, select, text

from tapewire.alerts.models import Alert
from tapewire.alerts.rules import RuleSpec, add_rule
from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.net import HttpClient
from tapewire.newsroom import queries as newsroom_queries
from tapewire.newsroom import stage as newsroom_stage
from tapewire.newsroom.brief_index import BriefInstrument, BriefTag, TagCount
from tapewire.newsroom.models import Brief, BriefSession, FactSheet, Verification
from tapewire.signals import stage as signals_stage
from tapewire.store import Store
from tapewire.technicals import stage as technicals_stage
from tests.newsroom.test_triggers import SATURDAY, add, range_bars

SYMBOLS = ("AAA", "BBB", "CCC")


def _refuse_bbb_sessions(store: Store) -> None:
    """The database refuses BBB's ``brief_session`` row: the last insert of its brief, after the
    fact sheet, the brief, its indexes and its alerts are written."""
    with store.write() as s:
        if store.is_sqlite:
            s.execute(
                text(
                    "CREATE TRIGGER refuse_bbb BEFORE INSERT ON brief_session "
                    "WHEN NEW.symbol = 'BBB' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
        else:
            s.execute(
                text(
                    "CREATE FUNCTION refuse_bbb() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                )
            )
            s.execute(
                text(
                    "CREATE TRIGGER refuse_bbb BEFORE INSERT ON brief_session FOR EACH ROW "
                    "WHEN (NEW.symbol = 'BBB') EXECUTE FUNCTION refuse_bbb()"
                )
            )


def _allow_bbb_sessions(store: Store) -> None:
    with store.write() as s:
        s.execute(
            text("DROP TRIGGER refuse_bbb" + ("" if store.is_sqlite else " ON brief_session"))
        )


@contextmanager
def _commits(store: Store) -> Iterator[list[int]]:
    """One entry per transaction committed on the store's engine meanwhile."""
    seen: list[int] = []

    def hear(conn: object) -> None:
        seen.append(1)

    event.listen(store.engine, "commit", hear)
    try:
        yield seen
    finally:
        event.remove(store.engine, "commit", hear)


def _context(store: Store, settings: Settings, http: HttpClient) -> RunContext:
    """A run as of SATURDAY (each call is a new run: its own cache)."""
    return RunContext(
        store=store, settings=settings, as_of=SATURDAY, http=http, clock=FixedClock(SATURDAY)
    )


def _count(store: Store, model: type) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_brief_failing_mid_chunk_rolls_back_alone(store: Store, settings: Settings) -> None:
    settings = settings.model_copy(
        update={"alerts": settings.alerts.model_copy(update={"allow_private_targets": True})}
    )
    for symbol in SYMBOLS:
        add(store, symbol, range_bars())
    add_rule(
        store,
        settings,
        RuleSpec("brief", "webhook", "http://127.0.0.1:9/h"),  # every brief
        api_key_id=None,
        now=SATURDAY - timedelta(hours=1),
    )
    published: list[tuple[str, bool]] = []  # (slug, readable from another connection then)

    def after_publish(slug: str) -> None:
        published.append((slug, newsroom_queries.get_brief(store, slug) is not None))

    with HttpClient(settings.http) as http:
        ctx = _context(store, settings, http)
        ctx.hooks.after_brief_published.append(after_publish)
        technicals_stage.run(ctx)
        signals_stage.run(ctx)
        _refuse_bbb_sessions(store)
        with _commits(store) as commits:
            report = newsroom_stage.run_instruments(ctx)

    assert len(commits) == 1  # the chunk's one transaction (not one per brief)
    assert report.counts.get("briefs") == 2, report.as_dict()
    assert [e for e in report.errors if e.startswith("BBB: ")], report.errors
    assert "refused by the test" in " ".join(report.errors)
    slugs = {f"{sym.lower()}-{SATURDAY:%Y-%m-%d}" for sym in SYMBOLS}
    with store.read() as s:
        stored = set(s.scalars(select(Brief.slug)))
        assert stored == slugs - {f"bbb-{SATURDAY:%Y-%m-%d}"}
        # nothing of BBB's brief is left: its fact sheet, indexes, verification and alert
        assert s.scalar(select(func.count()).select_from(FactSheet)) == 2
        assert set(s.scalars(select(BriefInstrument.symbol))) == {"AAA", "CCC"}
        assert set(s.scalars(select(BriefSession.symbol))) == {"AAA", "CCC"}
        assert s.scalar(select(func.count()).select_from(Verification)) == 2
        assert set(s.scalars(select(Alert.symbol))) == {"AAA", "CCC"}
        tag_rows = s.scalar(select(func.count()).select_from(BriefTag))
        assert tag_rows and s.scalar(select(func.sum(TagCount.n))) == tag_rows
    # after the commit, for the stored briefs only, in order, each one readable by then
    assert published == [(f"aaa-{SATURDAY:%Y-%m-%d}", True), (f"ccc-{SATURDAY:%Y-%m-%d}", True)]

    # the database takes BBB's brief again: the next run writes it alone
    _allow_bbb_sessions(store)
    published.clear()
    with HttpClient(settings.http) as http:
        ctx = _context(store, settings, http)
        ctx.hooks.after_brief_published.append(after_publish)
        report = newsroom_stage.run_instruments(ctx)
    assert report.counts.get("briefs") == 1 and report.counts.get("already_written") == 2
    assert not report.errors
    assert published == [(f"bbb-{SATURDAY:%Y-%m-%d}", True)]
    assert _count(store, Brief) == 3 and _count(store, FactSheet) == 3
    with store.read() as s:
        assert set(s.scalars(select(Alert.symbol))) == set(SYMBOLS)


def test_a_chunk_without_failure_is_a_few_multi_row_statements(
    store: Store, settings: Settings
) -> None:
    """The chunk's briefs, fact sheets, verifications, sessions and indexes are one insert each
    (not one per brief), with no savepoint, and every brief is stored."""
    for symbol in SYMBOLS:
        add(store, symbol, range_bars())
    statements: list[str] = []

    def hear(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(" ".join(statement.split()[:3]).upper())

    with HttpClient(settings.http) as http:
        ctx = _context(store, settings, http)
        technicals_stage.run(ctx)
        signals_stage.run(ctx)
        event.listen(store.engine, "before_cursor_execute", hear)
        try:
            with _commits(store) as commits:
                report = newsroom_stage.run_instruments(ctx)
        finally:
            event.remove(store.engine, "before_cursor_execute", hear)
    assert report.counts.get("briefs") == 3 and not report.errors, report.as_dict()
    assert len(commits) == 1
    inserts = [q for q in statements if q.startswith("INSERT")]
    # SQLite has no sentinel to sort a multi-row RETURNING by, so SQLAlchemy sends the rows
    # that return their ids one by one there (still no savepoint, still one transaction)
    returning = 3 if store.is_sqlite else 1
    for table, n in (("brief", returning), ("fact_sheet", returning)):
        assert inserts.count(f"INSERT INTO {table.upper()}") == n, inserts
    for table in ("verification", "brief_session", "brief_tag", "tag_count"):
        assert inserts.count(f"INSERT INTO {table.upper()}") == 1, inserts
    assert not [q for q in statements if "SAVEPOINT" in q]
    assert _count(store, Brief) == 3 and _count(store, BriefSession) == 3


def test_the_newsroom_reads_the_bars_the_technicals_stage_read(
    store: Store, settings: Settings
) -> None:
    """One pass (one RunContext) reads the instruments' history bars once: the newsroom's fact
    sheets take the technicals stage's read from the run's cache (issue #16), and the briefs
    are those of a newsroom that reads them itself (a fresh context on a copy of the run)."""
    for symbol in SYMBOLS:
        add(store, symbol, range_bars())
    reads: list[str] = []

    def hear(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM bar" in statement and "bar.open" in statement:
            reads.append(statement)

    event.listen(store.engine, "before_cursor_execute", hear)
    try:
        with HttpClient(settings.http) as http:
            ctx = _context(store, settings, http)
            technicals_stage.run(ctx)
            signals_stage.run(ctx)
            assert len(reads) == 1
            shared = newsroom_stage.run_instruments(ctx)
            assert len(reads) == 1  # the newsroom read no bars of its own
            alone = _context(store, settings, http)
            sheets = _sheets(store)
            _delete_briefs(store)
            newsroom_stage.run_instruments(alone)
            assert len(reads) == 2  # a new run reads them
    finally:
        event.remove(store.engine, "before_cursor_execute", hear)
    assert shared.counts.get("briefs") == 3
    assert _sheets(store) == sheets


def _sheets(store: Store) -> dict[str, object]:
    with store.read() as s:
        rows = s.execute(
            select(Brief.slug, FactSheet.data).join(FactSheet, FactSheet.id == Brief.fact_sheet_id)
        ).all()
    return {str(slug): data for slug, data in rows}


def _delete_briefs(store: Store) -> None:
    with store.write() as s:
        for model in (Verification, BriefSession, BriefTag, BriefInstrument, TagCount, Brief):
            s.execute(delete(model))
        s.execute(delete(FactSheet))
