"""Technicals stage: indicators and levels for every active instrument as of ``ctx.as_of``."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tapewire.context import RunContext, StageReport
from tapewire.market import queries as market_queries
from tapewire.market.queries import BarView, InstrumentView
from tapewire.technicals.compute import Snapshot, compute_snapshot
from tapewire.technicals.levels import Level as LevelValue
from tapewire.technicals.models import Indicator, Level
from tapewire.technicals.relative import compute_breadth, compute_relative, compute_vol_regime

log = logging.getLogger(__name__)
# Calendar days of bars read: >= 272 bars for the one-year percentile of 20-day volatility
# and the 20-day return z (252 values of a 20-bar measure). Measured on real series, 400 days
# held as few as 263 bars (EURUSD; ^GSPC 270); 440 holds >= 291 (US, EU indices, FX).
HISTORY_DAYS = 440


EQUITY_CLASSES = ("Stocks", "Indices", "ETFs")  # the VIX regime applies to these (US calendar)


def run(ctx: RunContext) -> StageReport:
    """Compute and store a snapshot per instrument; too little history is reported, not faked."""
    report = StageReport("technicals")
    instruments = market_queries.instruments(ctx.store)
    bars_of = _BarCache(ctx)
    for inst in instruments:
        bars = bars_of(inst.id)
        snapshot = compute_snapshot(bars)  # pure; no transaction open
        if snapshot is None:
            report.fail(inst.symbol, f"only {len(bars)} bars before {ctx.as_of:%Y-%m-%d}")
            continue
        snapshot.values.update(cross_values(ctx, inst, instruments, bars_of))
        with ctx.store.write() as s:
            save_snapshot(s, inst.id, ctx.as_of, snapshot)
        report.add("instruments")
    return report


class _BarCache:
    """Each instrument's bars before as_of, read once per run (pairs and breadth reuse them)."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._bars: dict[int, list[BarView]] = {}

    def __call__(self, instrument_id: int) -> list[BarView]:
        if instrument_id not in self._bars:
            self._bars[instrument_id] = market_queries.bars(
                self._ctx.store, instrument_id, until=self._ctx.as_of, days=HISTORY_DAYS
            )
        return self._bars[instrument_id]


def cross_values(
    ctx: RunContext,
    inst: InstrumentView,
    instruments: list[InstrumentView],
    bars_of: _BarCache,
) -> dict[str, float | None]:
    """Relative strength against the benchmark, breadth of stored constituents, VIX regime."""
    by_symbol = {i.symbol: i for i in instruments}
    values: dict[str, float | None] = {}
    bars = bars_of(inst.id)
    bench = by_symbol.get(inst.benchmark_symbol or "")
    if bench is not None and bench.id != inst.id and (bench_bars := bars_of(bench.id)):
        rel = compute_relative(
            [b.bar_date for b in bars],
            [b.close for b in bars],
            [b.bar_date for b in bench_bars],
            [b.close for b in bench_bars],
        )
        if rel is not None:
            values |= {"rs20_pct": rel.rs20_pct, "spread_z60": rel.spread_z60}
    members = [i for i in instruments if inst.symbol in i.member_of]
    breadth = compute_breadth(
        [
            ([b.bar_date for b in m], [b.close for b in m])
            for m in map(bars_of, (i.id for i in members))
        ]
    )
    if breadth is not None and breadth.bar_date == bars[-1].bar_date:
        values |= {
            "breadth50_pct": breadth.pct_above,
            "breadth_members": float(breadth.members),
            "breadth_above": float(breadth.above),
        }
    vix = by_symbol.get(ctx.settings.market.vix_symbol)
    if vix is not None and vix.id != inst.id and inst.asset_class in EQUITY_CLASSES:
        vix_bars = bars_of(vix.id)
        regime = compute_vol_regime([b.bar_date for b in vix_bars], [b.close for b in vix_bars])
        if regime is not None and regime.bar_date == bars[-1].bar_date:
            values |= {"vix": regime.vix, "vix_pctile": regime.vix_pctile}
    return values


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
