"""The scorecard stage's work per pass does not grow with the calls it records or fills: the
snapshots behind new calls are read per as_of, not per call, and every open outcome is
rewritten in one executemany, not one transaction each (#14, #16: a live store holds ~40 open
outcomes per instrument, which cost ~1 ms each)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select

from tapewire.context import RunContext
from tapewire.scorecard.models import Outcome
from tapewire.signals.models import Signal
from tapewire.store import Store
from tests.scorecard.support import load_universe, run_stages


@contextmanager
def _statements(store: Store) -> Iterator[list[tuple[str, bool]]]:
    seen: list[tuple[str, bool]] = []

    def count(_c: Any, _cur: Any, statement: str, _p: Any, _ctx: Any, many: bool) -> None:
        seen.append((" ".join(statement.split()).lower(), many))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_a_pass_reads_snapshots_per_as_of_and_fills_outcomes_in_one_statement(
    make_ctx: Callable[..., RunContext], store: Store
) -> None:
    load_universe(store, date(2019, 1, 1), date(2020, 3, 31))
    day = datetime(2020, 1, 6, tzinfo=UTC)
    for k in range(12):  # twelve days of calls (signal calls; no briefs in this run)
        run_stages(make_ctx, store, day + timedelta(days=k), names=("technicals", "signals"))
    last = day + timedelta(days=12)
    with _statements(store) as seen:
        run_stages(make_ctx, store, last, names=("scorecard",))
    with store.read() as s:
        calls = s.scalar(select(func.count()).select_from(Outcome))
        filled = s.scalar(
            select(func.count()).select_from(Outcome).where(Outcome.sessions_seen > 0)
        )
        days = s.scalar(select(func.count(Signal.as_of.distinct())))
    assert calls is not None and calls >= 40, calls  # 5 instruments x 8+ sessions
    assert filled is not None and filled >= 30, filled
    snapshot_reads = [q for q, _ in seen if q.startswith("select") and " from indicator" in q]
    updates = [(q, many) for q, many in seen if q.startswith("update outcome")]
    # one batch (values, levels) per distinct as_of of the signals, not three statements per call as before
    assert days is not None and calls >= 4 * days, (calls, days)
    assert len(snapshot_reads) <= 2 * days, (len(snapshot_reads), days)
    assert len(updates) == 1 and updates[0][1], updates
