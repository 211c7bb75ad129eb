"""The scorecard's read API: graded calls, the scorecard, one brief's outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select

from tapewire.market import queries as market_queries
from tapewire.scorecard.calls import Call
from tapewire.scorecard.grades import Graded, Scorecard, grade
from tapewire.scorecard.models import Outcome, ScorecardSnapshot
from tapewire.scorecard.outcomes import Measured
from tapewire.store import Store

LIVE_KINDS = ("signal", "brief")


def graded_of(call: Call, measured: Measured) -> Graded:
    """A backtest's call and outcome in the form the outcome table stores."""
    return _graded(
        call.key,
        call.kind,
        call.inputs(),
        call.trigger,
        call.direction,
        call.pulse,
        call.threat,
        call.risk,
        [lv.as_dict() for lv in call.levels],
        measured.as_dict(),
    )


def _graded(
    key: str,
    kind: str,
    inputs: dict[str, Any],
    trigger: str,
    direction: str,
    pulse: float,
    threat: int | None,
    risk: str | None,
    levels: list[dict[str, object]],
    measured: dict[str, object],
) -> Graded:
    comps = inputs.get("components")
    return Graded(
        key=key,
        kind=kind,
        symbol=str(inputs.get("symbol", "")),
        asset_class=str(inputs.get("asset_class", "")),
        trigger=trigger,
        entry_date=date.fromisoformat(str(inputs["entry_date"])),
        direction=direction,
        pulse=pulse,
        threat=threat,
        risk=risk,
        components=dict(comps) if isinstance(comps, dict) else {},
        return20_pct=inputs.get("return20_pct"),
        atr_pct=inputs.get("atr_pct"),
        vol_before=inputs.get("realized_vol20_pct"),
        measured=measured,
        levels=levels,
        slug=inputs.get("slug") if isinstance(inputs.get("slug"), str) else None,
        entry_close=float(inputs["entry_close"])
        if isinstance(inputs.get("entry_close"), int | float)
        else None,
    )


def graded_calls(
    store: Store,
    *,
    kinds: Sequence[str] = LIVE_KINDS,
    until: datetime | None = None,
    complete_only: bool = False,
) -> list[Graded]:
    """Calls of these kinds with at least one session measured (as of ``until``)."""
    query = select(Outcome).where(Outcome.kind.in_(kinds), Outcome.sessions_seen > 0)
    if until is not None:
        query = query.where(Outcome.as_of <= until)
    if complete_only:
        query = query.where(Outcome.complete.is_(True))
    with store.read() as s:
        return [
            _graded(
                r.call_key,
                r.kind,
                dict(r.inputs),
                r.trigger,
                r.direction,
                r.pulse,
                r.threat,
                r.risk,
                list(r.levels),
                dict(r.measured),
            )
            for r in s.scalars(query.order_by(Outcome.as_of, Outcome.id))
        ]


def scorecard(
    store: Store,
    *,
    kinds: Sequence[str] = LIVE_KINDS,
    until: datetime | None = None,
    reps: int = 200,
) -> Scorecard:
    """Graded over complete calls only (all three horizons in), as the stage's snapshots are."""
    return grade(graded_calls(store, kinds=kinds, until=until, complete_only=True), reps=reps)


@dataclass(frozen=True, slots=True)
class CallCounts:
    calls: int
    complete: int


def counts(store: Store, *, kinds: Sequence[str] = LIVE_KINDS) -> CallCounts:
    with store.read() as s:
        rows = s.execute(select(Outcome.complete).where(Outcome.kind.in_(kinds))).all()
    return CallCounts(len(rows), sum(1 for (c,) in rows if c))


_BRIEF_OUTCOME = (  # the brief page's read: plain columns on a statement built once (#16)
    select(
        Outcome.complete,
        Outcome.instrument_id,
        Outcome.direction,
        Outcome.pulse,
        Outcome.threat,
        Outcome.risk,
        Outcome.inputs,
        Outcome.filled_through,
        Outcome.measured,
    )
    .where(Outcome.brief_id == bindparam("brief_id"))
    .limit(1)
)


def brief_outcome(store: Store, brief_id: int) -> dict[str, Any] | None:
    """The brief's call and what followed, once its horizon (20 sessions) has passed."""
    with store.connect() as c:
        row = c.execute(_BRIEF_OUTCOME, {"brief_id": brief_id}).first()
        if row is None or not row.complete:
            return None
        inst = market_queries.instruments_by_id(store, [row.instrument_id]).get(row.instrument_id)
        benchmark = inst.benchmark_symbol if inst is not None else None
        return {
            # the excess column names its benchmark; without one it equals the raw return and
            # the page shows no such column
            "benchmark": benchmark if benchmark and inst and benchmark != inst.symbol else None,
            "direction": row.direction,
            "pulse": row.pulse,
            "threat": row.threat,
            "risk": row.risk,
            "entry_date": row.inputs.get("entry_date"),
            "entry_close": row.inputs.get("entry_close"),
            "filled_through": row.filled_through.isoformat() if row.filled_through else None,
            "measured": dict(row.measured),
        }


@dataclass(frozen=True, slots=True)
class SnapshotView:
    kind: str
    month: str | None
    as_of: datetime
    computed_at: datetime
    n_calls: int
    data: dict[str, Any]


def _snap(row: ScorecardSnapshot) -> SnapshotView:
    return SnapshotView(
        row.kind, row.month, row.as_of, row.computed_at, row.n_calls, dict(row.data)
    )


def latest_snapshot(store: Store, kind: str) -> SnapshotView | None:
    """The stored scorecard of ``kind`` (live | backtest), graded when it was computed."""
    with store.read() as s:
        row = s.scalars(
            select(ScorecardSnapshot)
            .where(ScorecardSnapshot.kind == kind)
            .order_by(ScorecardSnapshot.id.desc())
        ).first()
        return _snap(row) if row else None


def month_snapshots(store: Store, *, limit: int = 240) -> list[SnapshotView]:
    """Closed months' scorecards, newest month first (the Atom feed's entries)."""
    with store.read() as s:
        rows = s.scalars(
            select(ScorecardSnapshot)
            .where(ScorecardSnapshot.kind == "month")
            .order_by(ScorecardSnapshot.month.desc())
            .limit(limit)
        ).all()
        return [_snap(r) for r in rows]
