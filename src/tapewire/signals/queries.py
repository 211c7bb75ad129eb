"""The signals stage's read API."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, String, bindparam, func, select, text

from tapewire.signals.models import Signal
from tapewire.store import Store
from tapewire.store.base import UTCDateTime


@dataclass(frozen=True, slots=True)
class SignalView:
    as_of: datetime
    pulse: float
    direction: str
    heat: float | None
    heat_label: str | None
    risk: str | None
    threat: int | None
    components: dict[str, object]


_COLUMNS = (
    Signal.as_of,
    Signal.pulse,
    Signal.direction,
    Signal.heat,
    Signal.heat_label,
    Signal.risk,
    Signal.threat,
    Signal.components,
)


def latest(store: Store, instrument_id: int, *, until: datetime) -> SignalView | None:
    with store.read() as s:
        row = s.execute(
            select(*_COLUMNS)
            .where(Signal.instrument_id == instrument_id, Signal.as_of <= until)
            .order_by(Signal.as_of.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        as_of, pulse, direction, heat, heat_label, risk, threat, components = row
        return SignalView(as_of, pulse, direction, heat, heat_label, risk, threat, dict(components))


def latest_many(
    store: Store, instrument_ids: list[int], *, until: datetime
) -> dict[int, SignalView]:
    """``latest`` for many instruments in one query (instruments without one are absent)."""
    if not instrument_ids:
        return {}
    newest = (
        select(Signal.instrument_id, func.max(Signal.as_of).label("as_of"))
        .where(Signal.instrument_id.in_(instrument_ids), Signal.as_of <= until)
        .group_by(Signal.instrument_id)
        .subquery()
    )
    with store.read() as s:
        rows = s.execute(
            select(Signal.instrument_id, *_COLUMNS).join(
                newest,
                (Signal.instrument_id == newest.c.instrument_id) & (Signal.as_of == newest.c.as_of),
            )
        ).all()
    return {
        inst_id: SignalView(as_of, pulse, direction, heat, heat_label, risk, threat, dict(comps))
        for inst_id, as_of, pulse, direction, heat, heat_label, risk, threat, comps in rows
    }


def history(
    store: Store, instrument_id: int, *, until: datetime, limit: int = 120
) -> list[SignalView]:
    """Signals up to ``until``, oldest first (the Pulse history chart)."""
    with store.read() as s:
        rows = s.scalars(
            select(Signal)
            .where(Signal.instrument_id == instrument_id, Signal.as_of <= until)
            .order_by(Signal.as_of.desc())
            .limit(limit)
        ).all()
        return [
            SignalView(
                r.as_of,
                r.pulse,
                r.direction,
                r.heat,
                r.heat_label,
                r.risk,
                r.threat,
                dict(r.components),
            )
            for r in reversed(rows)
        ]


_PULSE_HISTORY = (  # built once (#16)
    select(Signal.as_of, Signal.pulse)
    .where(Signal.instrument_id == bindparam("inst"), Signal.as_of <= bindparam("until"))
    .order_by(Signal.as_of.desc())
    .limit(bindparam("limit"))
)


def pulse_history(
    store: Store, instrument_id: int, *, until: datetime, limit: int = 120
) -> list[tuple[datetime, float]]:
    """``(as_of, pulse)`` of ``history``'s signals, oldest first: what the instrument page
    charts, without reading and decoding each signal's components (#16)."""
    params = {"inst": instrument_id, "until": until, "limit": limit}
    with store.connect() as c:
        rows = [(as_of, pulse) for as_of, pulse in c.execute(_PULSE_HISTORY, params)]
    rows.reverse()
    return rows


@dataclass(frozen=True, slots=True)
class SignalChange:
    id: int
    instrument_id: int
    as_of: datetime
    pulse: float
    direction: str
    threat: int | None


def signals_after(store: Store, signal_id: int, *, limit: int = 50) -> list[SignalChange]:
    """Signal rows stored after ``signal_id`` (the live stream), oldest first."""
    with store.read() as s:
        rows = s.scalars(
            select(Signal).where(Signal.id > signal_id).order_by(Signal.id).limit(limit)
        )
        return [
            SignalChange(r.id, r.instrument_id, r.as_of, r.pulse, r.direction, r.threat)
            for r in rows
        ]


def latest_signal_id(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.max(Signal.id))) or 0)


def signals_between(
    store: Store, *, after: datetime | None, until: datetime
) -> list[tuple[int, SignalView]]:
    """(instrument id, signal) stored with ``after < as_of <= until``, oldest first (the
    scorecard's new calls)."""
    query = select(Signal).where(Signal.as_of <= until)
    if after is not None:
        query = query.where(Signal.as_of > after)
    with store.read() as s:
        rows = s.scalars(query.order_by(Signal.as_of, Signal.instrument_id)).all()
        return [
            (
                r.instrument_id,
                SignalView(
                    r.as_of,
                    r.pulse,
                    r.direction,
                    r.heat,
                    r.heat_label,
                    r.risk,
                    r.threat,
                    dict(r.components),
                ),
            )
            for r in rows
        ]


@dataclass(frozen=True, slots=True)
class LatestSignal:
    """An instrument's newest signal, as the home page's heat map shows it (no components)."""

    instrument_id: int
    as_of: datetime
    pulse: float
    direction: str
    heat: float | None
    heat_label: str | None


@functools.lru_cache(maxsize=64)
def _latest_of_statement(count: int) -> Any:
    """``latest_of``'s statement for ``count`` instruments, built once per count (#16)."""
    parts = [
        "SELECT * FROM (SELECT instrument_id, as_of, pulse, direction, heat, heat_label"
        f" FROM signal WHERE instrument_id = :i{k} AND as_of <= :until"
        f" ORDER BY as_of DESC LIMIT 1) AS s{k}"
        for k in range(count)
    ]
    return (
        text(" UNION ALL ".join(parts))
        .bindparams(bindparam("until", type_=UTCDateTime()))
        .columns(
            instrument_id=Integer(),
            as_of=UTCDateTime(),
            pulse=Float(),
            direction=String(),
            heat=Float(),
            heat_label=String(),
        )
    )


def latest_of(
    store: Store, instrument_ids: list[int], *, until: datetime
) -> dict[int, LatestSignal]:
    """Each instrument's newest signal at ``until`` (instruments without one are left out).

    One statement of one ``ORDER BY as_of DESC LIMIT 1`` per instrument on the
    ``(instrument_id, as_of)`` unique index: O(instruments), whatever the length of the history."""
    if not instrument_ids:
        return {}
    query = _latest_of_statement(len(instrument_ids))
    params: dict[str, Any] = {f"i{k}": inst_id for k, inst_id in enumerate(instrument_ids)}
    params["until"] = until
    with store.connect() as c:
        return {row[0]: LatestSignal(*row) for row in c.execute(query, params)}
