"""The signals stage's read API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tapewire.signals.models import Signal
from tapewire.store import Store


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


def latest(store: Store, instrument_id: int, *, until: datetime) -> SignalView | None:
    with store.read() as s:
        row = s.scalars(
            select(Signal)
            .where(Signal.instrument_id == instrument_id, Signal.as_of <= until)
            .order_by(Signal.as_of.desc())
        ).first()
        if row is None:
            return None
        return SignalView(
            row.as_of,
            row.pulse,
            row.direction,
            row.heat,
            row.heat_label,
            row.risk,
            row.threat,
            dict(row.components),
        )
