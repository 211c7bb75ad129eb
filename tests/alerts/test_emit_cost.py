"""An event no active rule can match costs no savepoint and no rule query (issue #16: a pass
emits one event per instrument and stage); the triggers are read once per run, and a rule that
can match still fires."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, select

from tapewire.alerts.models import Alert
from tapewire.alerts.rules import RuleSpec, add_rule
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.store import Store

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    """Every SQL statement sent on the store's engines meanwhile."""
    seen: list[str] = []

    def hear(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    engines = {id(e): e for e in (store.engine, store._write_engine)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", hear)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", hear)


def _emit_briefs(ctx: RunContext, store: Store, n: int) -> None:
    for k in range(n):
        with store.write() as s:
            ctx.emit(s, "brief", {"symbol": "ACME", "headline": f"Acme {k}", "as_of": NOW})


def test_no_rule_no_savepoint_and_one_read_per_run(
    astore: Store, asettings: Settings, make_ctx: Callable[..., RunContext]
) -> None:
    # a rule of another kind: active rules exist, none for briefs
    add_rule(
        astore,
        asettings,
        RuleSpec("move", "webhook", "http://127.0.0.1:9/h", params={"pct": 2}),
        api_key_id=None,
        now=NOW - timedelta(hours=1),
    )
    ctx = make_ctx(astore, NOW)
    with _statements(astore) as seen:
        _emit_briefs(ctx, astore, 5)
    assert not [q for q in seen if "SAVEPOINT" in q.upper()]
    assert len([q for q in seen if "alert_rule" in q]) == 1  # the run's one read of triggers


def test_a_rule_that_can_match_still_fires_in_its_savepoint(
    astore: Store, asettings: Settings, make_ctx: Callable[..., RunContext]
) -> None:
    add_rule(
        astore,
        asettings,
        RuleSpec("brief", "webhook", "http://127.0.0.1:9/h", scope="instrument:ACME"),
        api_key_id=None,
        now=NOW - timedelta(hours=1),
    )
    ctx = make_ctx(astore, NOW)
    with _statements(astore) as seen:
        _emit_briefs(ctx, astore, 1)
    assert [q for q in seen if "SAVEPOINT" in q.upper()]
    with astore.read() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 1
