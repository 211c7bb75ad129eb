"""Technicals stage: indicators and levels for every active instrument as of ``ctx.as_of``."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tapewire.context import RunContext, StageReport
from tapewire.market import queries as market_queries
from tapewire.technicals.compute import Snapshot, compute_snapshot
from tapewire.technicals.levels import Level as LevelValue
from tapewire.technicals.models import Indicator, Level

log = logging.getLogger(__name__)
HISTORY_DAYS = 400  # calendar days of bars read: enough for SMA200 and a 52-week range


def run(ctx: RunContext) -> StageReport:
    """Compute and store a snapshot per instrument; too little history is reported, not faked."""
    report = StageReport("technicals")
    for inst in market_queries.instruments(ctx.store):
        bars = market_queries.bars(ctx.store, inst.id, until=ctx.as_of, days=HISTORY_DAYS)
        snapshot = compute_snapshot(bars)  # pure; no transaction open
        if snapshot is None:
            report.fail(inst.symbol, f"only {len(bars)} bars before {ctx.as_of:%Y-%m-%d}")
            continue
        with ctx.store.write() as s:
            save_snapshot(s, inst.id, ctx.as_of, snapshot)
        report.add("instruments")
    return report


def save_snapshot(s: Session, instrument_id: int, as_of: datetime, snapshot: Snapshot) -> None:
    """Replace the snapshot for (instrument, as_of): reruns are idempotent."""
    s.execute(
        delete(Indicator).where(Indicator.instrument_id == instrument_id, Indicator.as_of == as_of)
    )
    s.execute(delete(Level).where(Level.instrument_id == instrument_id, Level.as_of == as_of))
    s.add_all(
        Indicator(
            instrument_id=instrument_id,
            as_of=as_of,
            bar_date=snapshot.bar_date,
            name=name,
            value=value,
        )
        for name, value in snapshot.values.items()
    )
    s.add_all(
        Level(
            instrument_id=instrument_id,
            as_of=as_of,
            kind=lv.kind,
            price=lv.price,
            zone_low=lv.zone_low,
            zone_high=lv.zone_high,
            touches=lv.touches,
            last_touch_date=lv.last_touch_date,
            evidence=evidence_of(lv),
        )
        for lv in snapshot.levels
    )


def evidence_of(level: LevelValue) -> dict[str, object]:
    """The level's evidence column: "why" (the line queries and pages show) and what it counts."""
    return {
        "why": level.evidence,
        "touch_dates": [d.isoformat() for d in level.touch_dates],
        "breaks": level.breaks,
        "score": None if level.score is None else round(level.score, 4),
    }
