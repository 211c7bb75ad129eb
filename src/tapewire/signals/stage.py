"""Signals stage: Pulse, Heat, Risk and Threat for every instrument with technicals."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert

from tapewire.context import RunContext, StageReport
from tapewire.enrich import queries as enrich_queries
from tapewire.market import queries as market_queries
from tapewire.market.queries import InstrumentView
from tapewire.signals.compute import SignalInputs, SignalSet, compute_signals
from tapewire.signals.heat import THEME_HEAT_WEIGHT
from tapewire.signals.models import Signal
from tapewire.signals.pulse import NewsInput
from tapewire.technicals import queries as technicals_queries
from tapewire.technicals.queries import TechnicalsView

log = logging.getLogger(__name__)
NEWS_LOOKBACK = timedelta(days=8)  # 24 h of heat plus its 7-day baseline


def gather_inputs(ctx: RunContext, inst: InstrumentView) -> SignalInputs | None:
    """Everything the scores need, read as of ``ctx.as_of``; None without technicals."""
    tech = technicals_queries.latest(ctx.store, inst.id, until=ctx.as_of)
    if tech is None:
        return None
    bench_return = None
    bench = (
        market_queries.instrument(ctx.store, inst.benchmark_symbol)
        if inst.benchmark_symbol
        else None
    )
    if bench is not None:
        bench_tech = technicals_queries.latest(ctx.store, bench.id, until=ctx.as_of)
        bench_return = bench_tech.values.get("return20_pct") if bench_tech else None
    return _inputs(ctx, inst, tech, bench_return)


def _inputs(
    ctx: RunContext,
    inst: InstrumentView,
    tech: TechnicalsView,
    bench_return: float | None,
    window: enrich_queries.NewsWindow | None = None,
) -> SignalInputs:
    items = (
        window.news(inst.id)
        if window is not None
        else enrich_queries.instrument_news(
            ctx.store, inst.id, since=ctx.as_of - NEWS_LOOKBACK, until=ctx.as_of
        )
    )
    return SignalInputs(
        values=tech.values,
        support_prices=tuple(lv.price for lv in tech.levels if lv.kind == "support"),
        news=tuple(
            NewsInput(
                i.published_at,
                i.outlet or i.publisher_domain,
                i.tone if i.tone is not None else i.sentiment or 0.0,
                i.relevance,
                i.story_id,
                heat_weight=THEME_HEAT_WEIGHT if i.link_kind == "theme" else 1.0,
            )
            for i in items
        ),
        benchmark_return20_pct=bench_return,
    )


CHUNK = 200  # instruments whose technicals are read, and signals written, together


def run(ctx: RunContext) -> StageReport:
    """Set-based (issue #16): a chunk's technicals in three queries, its signals written in one
    transaction with one multi-row insert; the news of every instrument read once per run. ``run_per_instrument`` is the former path."""
    report = StageReport("signals")
    insts = market_queries.instruments(ctx.store)
    by_symbol = {i.symbol: i for i in insts}
    # every instrument's news of the lookback in one read (not one theme map per instrument)
    window = enrich_queries.NewsWindow(ctx.store, since=ctx.as_of - NEWS_LOOKBACK, until=ctx.as_of)
    for start in range(0, len(insts), CHUNK):
        chunk = insts[start : start + CHUNK]
        benches = {
            by_symbol[i.benchmark_symbol].id
            for i in chunk
            if i.benchmark_symbol and i.benchmark_symbol in by_symbol
        }
        techs = technicals_queries.latest_many(
            ctx.store, sorted({i.id for i in chunk} | benches), until=ctx.as_of
        )
        rows: list[dict[str, Any]] = []
        events: list[tuple[str, SignalSet]] = []
        for inst in chunk:
            tech = techs.get(inst.id)
            if tech is None:
                report.fail(inst.symbol, "no technicals: signals not computed")
                continue
            bench = by_symbol.get(inst.benchmark_symbol or "")
            if bench is not None:
                bench_tech = techs.get(bench.id)
                bench_return = bench_tech.values.get("return20_pct") if bench_tech else None
                inputs = _inputs(ctx, inst, tech, bench_return, window)
            elif inst.benchmark_symbol:  # a benchmark not active: read as the former path does
                inputs = gather_inputs(ctx, inst) or _inputs(ctx, inst, tech, None, window)
            else:
                inputs = _inputs(ctx, inst, tech, None, window)
            signals = compute_signals(inputs, as_of=ctx.as_of)
            rows.append(_values(inst.id, ctx, signals))
            events.append((inst.symbol, signals))
            report.add("instruments")
        if rows:
            with ctx.store.write() as s:
                s.execute(
                    delete(Signal).where(
                        Signal.instrument_id.in_([r["instrument_id"] for r in rows]),
                        Signal.as_of == ctx.as_of,
                    )
                )
                s.execute(insert(Signal), rows)
                for symbol, signals in events:  # alerts, in the same transaction
                    ctx.emit(s, "signal", {"symbol": symbol, "signals": signals})
    return report


def run_per_instrument(ctx: RunContext) -> StageReport:
    """The former path, one instrument at a time (kept: tests compare the two)."""
    report = StageReport("signals")
    for inst in market_queries.instruments(ctx.store):
        _one(ctx, inst, report)
    return report


def run_one(ctx: RunContext, instrument_id: int) -> StageReport:
    """The same for one instrument (the queued pipeline's per-instrument entry point)."""
    report = StageReport("signals")
    for inst in market_queries.instruments(ctx.store):
        if inst.id == instrument_id:
            _one(ctx, inst, report)
    return report


def _one(ctx: RunContext, inst: InstrumentView, report: StageReport) -> None:
    inputs = gather_inputs(ctx, inst)
    if inputs is None:
        report.fail(inst.symbol, "no technicals: signals not computed")
        return
    signals = compute_signals(inputs, as_of=ctx.as_of)
    with ctx.store.write() as s:  # delete + insert in one transaction: a re-run replaces it
        s.execute(delete(Signal).where(Signal.instrument_id == inst.id, Signal.as_of == ctx.as_of))
        s.add(_row(inst.id, ctx, signals))
        ctx.emit(s, "signal", {"symbol": inst.symbol, "signals": signals})  # alerts
    report.add("instruments")


def _values(instrument_id: int, ctx: RunContext, sig: SignalSet) -> dict[str, Any]:
    return {
        "instrument_id": instrument_id,
        "as_of": ctx.as_of,
        "pulse": sig.pulse.score,
        "direction": sig.pulse.direction,
        "heat": sig.heat.score,
        "heat_label": sig.heat.label,
        "risk": sig.risk.label,
        "threat": sig.threat.level,
        "components": sig.components(),
    }


def _row(instrument_id: int, ctx: RunContext, sig: SignalSet) -> Signal:
    return Signal(
        instrument_id=instrument_id,
        as_of=ctx.as_of,
        pulse=sig.pulse.score,
        direction=sig.pulse.direction,
        heat=sig.heat.score,
        heat_label=sig.heat.label,
        risk=sig.risk.label,
        threat=sig.threat.level,
        components=sig.components(),
    )
