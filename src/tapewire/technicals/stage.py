"""Technicals stage: indicators and levels for every active instrument as of ``ctx.as_of``."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from tapewire.context import RunContext, StageReport
from tapewire.market import queries as market_queries
from tapewire.market.queries import BarView, InstrumentView
from tapewire.market.sanity import Screen, flags_of, screen_stored
from tapewire.store.base import table_of
from tapewire.technicals.compute import Snapshot, compute_snapshot
from tapewire.technicals.levels import Level as LevelValue
from tapewire.technicals.models import Indicator, Level
from tapewire.technicals.relative import (
    VolRegime,
    compute_breadth,
    compute_relative,
    compute_vol_regime,
)

log = logging.getLogger(__name__)
# Calendar days of bars read: >= 272 bars for the one-year percentile of 20-day volatility
# and the 20-day return z (252 values of a 20-bar measure). Measured on real series, 400 days
# held as few as 263 bars (EURUSD; ^GSPC 270); 440 holds >= 291 (US, EU indices, FX).
HISTORY_DAYS = 440


EQUITY_CLASSES = ("Stocks", "Indices", "ETFs")  # the VIX regime applies to these (US calendar)


CHUNK = 200  # instruments read, computed and written together (one bar query, one write)


def run(ctx: RunContext, *, instrument_ids: Collection[int] | None = None) -> StageReport:
    """Compute and store a snapshot per instrument; too little history is reported, not faked.

    Set-based (issue #16): the bars of a chunk of instruments come in one query, the chunk's
    snapshots are written in one transaction with multi-row inserts (and their alert events in
    the same transaction). ``run_per_instrument`` is the former path, kept for the test that
    holds both to the same stored rows. ``instrument_ids``: only these (a queued task's slice of
    the pass; benchmarks, constituents and the VIX are still read from the whole universe).
    """
    report = StageReport("technicals")
    universe = _Universe(ctx, market_queries.instruments(ctx.store))
    insts = universe.instruments
    if instrument_ids is not None:
        wanted = set(instrument_ids)
        insts = [i for i in insts if i.id in wanted]
    for start in range(0, len(insts), CHUNK):
        chunk = insts[start : start + CHUNK]
        universe.prefetch([i.id for i in chunk])
        done: list[tuple[InstrumentView, Snapshot]] = []
        for inst in chunk:
            snapshot = _snapshot_of(ctx, universe, inst, report)
            if snapshot is not None:
                done.append((inst, snapshot))
                report.add("instruments")
        universe.drop_prefetched()
        if done:
            with ctx.store.write() as s:
                save_snapshots(s, ctx.as_of, [(inst.id, snap) for inst, snap in done])
                for inst, snap in done:
                    ctx.emit(s, "bar", {"symbol": inst.symbol, "snapshot": snap})  # alerts
    return report


def run_per_instrument(ctx: RunContext) -> StageReport:
    """The former path: one read and one write transaction per instrument (kept callable:
    ``tests/technicals/test_set_based.py`` compares its rows with ``run``'s)."""
    report = StageReport("technicals")
    universe = _Universe(ctx, market_queries.instruments(ctx.store))
    for inst in universe.instruments:
        _one(ctx, universe, inst, report)
    return report


def _one(ctx: RunContext, universe: _Universe, inst: InstrumentView, report: StageReport) -> None:
    snapshot = _snapshot_of(ctx, universe, inst, report)
    if snapshot is None:
        return
    with ctx.store.write() as s:
        save_snapshot(s, inst.id, ctx.as_of, snapshot)
        ctx.emit(s, "bar", {"symbol": inst.symbol, "snapshot": snapshot})  # alerts
    report.add("instruments")


def _snapshot_of(
    ctx: RunContext, universe: _Universe, inst: InstrumentView, report: StageReport
) -> Snapshot | None:
    """One instrument's snapshot (pure; no transaction open), its bars screened first; a
    blocked series or too little history is reported and gives None."""
    bars = universe.bars(inst.id)
    checked = screen_prices(ctx, universe, inst, bars)
    if checked.flags:
        report.add("suspect_bars", len(checked.flags))  # flagged on the bars, reasons logged
    if checked.blocked is not None:
        report.fail(inst.symbol, checked.blocked)
        return None
    bars = checked.bars
    snapshot = compute_snapshot(bars)
    if snapshot is None:
        report.fail(inst.symbol, f"only {len(bars)} bars before {ctx.as_of:%Y-%m-%d}")
        return None
    snapshot.values.update(cross_values(universe, inst, bars))
    return snapshot


def screen_prices(
    ctx: RunContext, universe: _Universe, inst: InstrumentView, bars: list[BarView]
) -> Screen:
    """Price sanity before indicators (market.sanity): bad ticks left out, suspect bars flagged,
    an unconfirmed split blocks the instrument's indicators (reported with its reason)."""
    if inst.symbol == ctx.settings.market.vix_symbol:  # its spikes that revert are real
        return Screen(bars)
    bench = universe.by_symbol.get(inst.benchmark_symbol or "")
    bench_bars = universe.bars(bench.id) if bench is not None and bench.id != inst.id else None
    checked = screen_stored(
        ctx.store,
        inst.id,
        bars,
        bench=bench_bars,
        symbol=inst.symbol,
        flags=universe.flags(inst.id),
    )
    for day, reason in (checked.flags | checked.pending).items():
        log.warning("%s %s: %s", inst.symbol, day.isoformat(), reason)
    return checked


class _Universe:
    """The run's instruments and who refers to whom, built once per run: benchmarks,
    constituents by index and the VIX. Only referenced instruments' bars are kept in memory
    (an instrument that no other one refers to is read, used and dropped)."""

    def __init__(self, ctx: RunContext, instruments: list[InstrumentView]) -> None:
        self._ctx = ctx
        self.instruments = instruments
        self.by_symbol = {i.symbol: i for i in instruments}
        self.members: dict[str, list[InstrumentView]] = {}
        for inst in instruments:
            for index in inst.member_of:
                self.members.setdefault(index, []).append(inst)
        vix = self.by_symbol.get(ctx.settings.market.vix_symbol)
        self.vix_id = vix.id if vix is not None else None
        referenced = {
            self.by_symbol[i.benchmark_symbol].id
            for i in instruments
            if i.benchmark_symbol in self.by_symbol
        }
        referenced |= {m.id for group in self.members.values() for m in group}
        self._keep = referenced | ({self.vix_id} if self.vix_id is not None else set())
        self._bars: dict[int, list[BarView]] = {}
        self._prefetched: dict[int, list[BarView]] = {}
        self._flags: dict[int, list[tuple[date, str, bool]]] = {}
        self._flagged: set[int] = set()  # the instruments whose flags were prefetched
        self._vix: VolRegime | None = None
        self._vix_done = False

    def prefetch(self, instrument_ids: list[int]) -> None:
        """Read the bars of these instruments in one query, and their sanity flags in another
        (kept until ``drop_prefetched``)."""
        wanted = [i for i in instrument_ids if i not in self._bars]
        self._prefetched = read_bars(self._ctx, wanted)
        spans = [(b[0].bar_date, b[-1].bar_date) for b in self._prefetched.values() if b]
        self._flags = (
            flags_of(
                self._ctx.store,
                wanted,
                since=min(first for first, _ in spans),
                until=max(last for _, last in spans),
            )
            if spans
            else {}
        )
        self._flagged = set(wanted)

    def drop_prefetched(self) -> None:
        self._prefetched = {}
        self._flags = {}
        self._flagged = set()

    def flags(self, instrument_id: int) -> list[tuple[date, str, bool]] | None:
        """The prefetched instrument's flagged bars (``market.sanity.flags_of``); None when
        its bars were not prefetched (``screen_stored`` reads them)."""
        if instrument_id not in self._flagged:
            return None
        return self._flags.get(instrument_id, [])

    def bars(self, instrument_id: int) -> list[BarView]:
        if instrument_id in self._bars:
            return self._bars[instrument_id]
        if instrument_id in self._prefetched:
            bars = self._prefetched[instrument_id]
        else:
            bars = read_bars(self._ctx, [instrument_id])[instrument_id]
        if instrument_id in self._keep:
            self._bars[instrument_id] = bars
        return bars

    def vix_regime(self) -> VolRegime | None:
        if not self._vix_done:  # once per run, not once per equity
            vix_bars = self.bars(self.vix_id) if self.vix_id is not None else []
            self._vix = compute_vol_regime(*_series(vix_bars))
            self._vix_done = True
        return self._vix


def read_bars(ctx: RunContext, instrument_ids: list[int]) -> dict[int, list[BarView]]:
    """The one place this stage reads bars: the completed daily bars of ``HISTORY_DAYS`` before
    ``ctx.as_of`` of each instrument, oldest first, in one query (a filter on flagged bars
    belongs here). Kept in the run's cache for the newsroom, which reads the same bars."""
    return market_queries.bars_of(
        ctx.store, instrument_ids, until=ctx.as_of, days=HISTORY_DAYS, shared=ctx.cache
    )


def _series(bars: list[BarView]) -> tuple[list[date], list[float]]:
    return [b.bar_date for b in bars], [b.close for b in bars]


def cross_values(
    universe: _Universe, inst: InstrumentView, bars: list[BarView]
) -> dict[str, float | None]:
    """Relative strength against the benchmark, breadth of stored constituents, VIX regime."""
    values: dict[str, float | None] = {}
    bench = universe.by_symbol.get(inst.benchmark_symbol or "")
    if bench is not None and bench.id != inst.id and (bench_bars := universe.bars(bench.id)):
        rel = compute_relative(*_series(bars), *_series(bench_bars))
        if rel is not None:
            values |= {"rs20_pct": rel.rs20_pct, "spread_z60": rel.spread_z60}
    members = universe.members.get(inst.symbol, [])
    breadth = compute_breadth([_series(universe.bars(m.id)) for m in members]) if members else None
    if breadth is not None and breadth.bar_date == bars[-1].bar_date:
        values |= {
            "breadth50_pct": breadth.pct_above,
            "breadth_members": float(breadth.members),
            "breadth_above": float(breadth.above),
        }
    if inst.id != universe.vix_id and inst.asset_class in EQUITY_CLASSES:
        regime = universe.vix_regime()
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


def save_snapshots(s: Session, as_of: datetime, snapshots: list[tuple[int, Snapshot]]) -> None:
    """Replace the snapshots of (instrument, as_of) for many instruments: two deletes and two
    multi-row inserts. The rows (and the levels' id order) are those of ``save_snapshot``."""
    ids = [inst_id for inst_id, _ in snapshots]
    s.execute(delete(Indicator).where(Indicator.instrument_id.in_(ids), Indicator.as_of == as_of))
    s.execute(delete(Level).where(Level.instrument_id.in_(ids), Level.as_of == as_of))
    indicators = [
        {
            "instrument_id": inst_id,
            "as_of": as_of,
            "bar_date": snap.bar_date,
            "name": name,
            "value": value,
        }
        for inst_id, snap in snapshots
        for name, value in snap.values.items()
    ]
    levels = [
        {
            "instrument_id": inst_id,
            "as_of": as_of,
            "kind": lv.kind,
            "price": lv.price,
            "zone_low": lv.zone_low,
            "zone_high": lv.zone_high,
            "touches": lv.touches,
            "last_touch_date": lv.last_touch_date,
            "evidence": evidence_of(lv),
        }
        for inst_id, snap in snapshots
        for lv in snap.levels
    ]
    c = s.connection()  # Core inserts of the tables: no ORM bulk-insert bookkeeping (#16)
    if indicators:
        c.execute(insert(table_of(Indicator)), indicators)
    if levels:
        c.execute(insert(table_of(Level)), levels)


def evidence_of(level: LevelValue) -> dict[str, object]:
    """The level's evidence column: "why" (the line queries and pages show) and what it counts."""
    return {
        "why": level.evidence,
        "touch_dates": [d.isoformat() for d in level.touch_dates],
        "breaks": level.breaks,
        "score": None if level.score is None else round(level.score, 4),
    }
