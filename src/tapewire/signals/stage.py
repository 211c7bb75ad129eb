"""Signals stage: Pulse, Heat, Risk and Threat for every instrument with technicals."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert

from tapewire.context import RunContext, StageReport
from tapewire.enrich import queries as enrich_queries
from tapewire.enrich.queries import LinkedItem
from tapewire.market import queries as market_queries
from tapewire.market.queries import InstrumentView
from tapewire.signals.compute import SignalInputs, SignalSet, compute_signals
from tapewire.signals.heat import THEME_HEAT_WEIGHT, story_heats
from tapewire.signals.models import Signal
from tapewire.signals.pulse import NewsInput
from tapewire.technicals import queries as technicals_queries
from tapewire.technicals.queries import TechnicalsView

log = logging.getLogger(__name__)
NEWS_LOOKBACK = timedelta(days=8)  # 24 h of heat plus its 7-day baseline


def gather_inputs(
    ctx: RunContext, inst: InstrumentView, items: list[LinkedItem] | None = None
) -> SignalInputs | None:
    """Everything the scores need, read as of ``ctx.as_of``; None without technicals.
    ``items``: the instrument's news, when the caller has read it."""
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
    return _inputs(ctx, inst, tech, bench_return, items)


def _news(ctx: RunContext, inst: InstrumentView) -> list[LinkedItem]:
    return enrich_queries.instrument_news(
        ctx.store, inst.id, since=ctx.as_of - NEWS_LOOKBACK, until=ctx.as_of
    )


def story_events(symbol: str, items: list[LinkedItem], *, as_of: Any) -> list[dict[str, Any]]:
    """One ``story_heat`` event per story about the instrument with items in the last 24 h: its
    Heat (``heat.story_heats``) and its first headline (alerts fire on the rising edge)."""
    heats = story_heats(
        [(i.published_at, i.outlet or i.publisher_domain, i.story_id) for i in items],
        as_of=as_of,
        weights=[THEME_HEAT_WEIGHT if i.link_kind == "theme" else 1.0 for i in items],
    )
    first: dict[int, LinkedItem] = {}
    for i in sorted(items, key=lambda i: (i.published_at, i.item_id)):
        if i.story_id is not None:
            first.setdefault(i.story_id, i)
    return [
        {
            "symbol": symbol,
            "story_id": story,
            "heat": heat,
            "headline": first[story].title,
            "outlet": first[story].outlet,
            "url": first[story].url,
        }
        for story, heat in sorted(heats.items())
    ]


def _inputs(
    ctx: RunContext,
    inst: InstrumentView,
    tech: TechnicalsView,
    bench_return: float | None,
    items: list[LinkedItem] | None = None,
) -> SignalInputs:
    if items is None:
        items = _news(ctx, inst)
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


def run(ctx: RunContext, *, instrument_ids: Collection[int] | None = None) -> StageReport:
    """Set-based (issue #16): a chunk's technicals in three queries, its signals written in one
    transaction with one multi-row insert; the news of every instrument read once per run. ``run_per_instrument`` is the former path.
    ``instrument_ids``: only these (a queued task's slice of the pass)."""
    report = StageReport("signals")
    every = market_queries.instruments(ctx.store)
    by_symbol = {i.symbol: i for i in every}
    wanted = None if instrument_ids is None else set(instrument_ids)
    insts = every if wanted is None else [i for i in every if i.id in wanted]
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
        events: list[tuple[str, SignalSet, list[LinkedItem]]] = []
        for inst in chunk:
            tech = techs.get(inst.id)
            if tech is None:
                report.fail(inst.symbol, "no technicals: signals not computed")
                continue
            news = window.news(inst.id)  # the run's one read of the window (issue #16)
            bench = by_symbol.get(inst.benchmark_symbol or "")
            if bench is not None:
                bench_tech = techs.get(bench.id)
                bench_return = bench_tech.values.get("return20_pct") if bench_tech else None
                inputs = _inputs(ctx, inst, tech, bench_return, news)
            elif inst.benchmark_symbol:  # a benchmark not active: read as the former path does
                inputs = gather_inputs(ctx, inst, news) or _inputs(ctx, inst, tech, None, news)
            else:
                inputs = _inputs(ctx, inst, tech, None, news)
            signals = compute_signals(inputs, as_of=ctx.as_of)
            rows.append(_values(inst.id, ctx, signals))
            events.append((inst.symbol, signals, news))
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
                for symbol, signals, news in events:  # alerts, in the same transaction
                    ctx.emit(s, "signal", {"symbol": symbol, "signals": signals})
                    for event in story_events(symbol, news, as_of=ctx.as_of):
                        ctx.emit(s, "story_heat", event)
    return report


def run_per_instrument(ctx: RunContext) -> StageReport:
    """The former path, one instrument at a time (kept: tests compare the two)."""
    report = StageReport("signals")
    for inst in market_queries.instruments(ctx.store):
        _one(ctx, inst, report)
    return report


def _one(ctx: RunContext, inst: InstrumentView, report: StageReport) -> None:
    news = _news(ctx, inst)  # read once: the scores and the story-heat events
    inputs = gather_inputs(ctx, inst, news)
    if inputs is None:
        report.fail(inst.symbol, "no technicals: signals not computed")
        return
    signals = compute_signals(inputs, as_of=ctx.as_of)
    stories = story_events(inst.symbol, news, as_of=ctx.as_of)
    with ctx.store.write() as s:  # delete + insert in one transaction: a re-run replaces it
        s.execute(delete(Signal).where(Signal.instrument_id == inst.id, Signal.as_of == ctx.as_of))
        s.add(_row(inst.id, ctx, signals))
        ctx.emit(s, "signal", {"symbol": inst.symbol, "signals": signals})  # alerts
        for event in stories:
            ctx.emit(s, "story_heat", event)
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
