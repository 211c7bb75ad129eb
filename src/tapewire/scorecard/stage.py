"""Scorecard stage: record every new call, then fill outcomes from bars after each call's as_of.

Runs after the newsroom in ``run`` and ``replay``. New calls are the signals stored since the
newest signal call recorded and the briefs stored since the newest brief call. An outcome reads
only bars dated on or after its call's as_of day (and, like every stage, none after
``ctx.as_of``'s last usable day); it fills a little more each run until 20 sessions are in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update

from tapewire.context import RunContext, StageReport
from tapewire.market import queries as market_queries
from tapewire.market.queries import BarView, InstrumentView
from tapewire.market.sanity import reviews, units_factor
from tapewire.newsroom import queries as newsroom_queries
from tapewire.scorecard import queries as scorecard_queries
from tapewire.scorecard.calls import Call, atr_pct, components_of, named_levels
from tapewire.scorecard.grades import Graded, Scorecard, grade
from tapewire.scorecard.models import Outcome, ScorecardSnapshot
from tapewire.scorecard.outcomes import HORIZONS, Measured, NamedLevel, PathBar, measure
from tapewire.signals import queries as signals_queries
from tapewire.signals.queries import SignalView
from tapewire.store import Store
from tapewire.technicals import queries as technicals_queries
from tapewire.technicals.queries import TechnicalsView

log = logging.getLogger(__name__)
BRIEF_BATCH = 200
LIVE_REPS = 100  # bootstrap resamples of the live scorecard (the bench uses 200)
PATH_DAYS = 45
LOOKBACK = timedelta(
    days=10
)  # signals re-examined each run for calls not yet recorded  # calendar days beyond the call that hold its 20 sessions (weekends, holidays)


def run(ctx: RunContext) -> StageReport:
    report = StageReport("scorecard")
    by_id = {i.id: i for i in market_queries.instruments(ctx.store, active_only=False)}
    by_symbol = {i.symbol: i for i in by_id.values()}
    calls = _new_signal_calls(ctx, by_id) + _new_brief_calls(ctx, by_symbol, report)
    if calls:
        with ctx.store.write() as s:
            known = set(
                s.scalars(
                    select(Outcome.call_key).where(Outcome.call_key.in_([c.key for c in calls]))
                )
            )
            for call in calls:
                if call.key not in known:
                    s.add(_row(call, ctx.clock.now()))
                    known.add(call.key)
                    report.add(f"{call.kind}_calls")
    _fill(ctx, by_id, by_symbol, report)
    _snapshots(ctx, report)
    return report


def _snapshots(ctx: RunContext, report: StageReport) -> None:
    """The live scorecard over every complete call (recomputed when more calls are complete),
    and each closed month's (once every call made in it is complete)."""
    calls = scorecard_queries.graded_calls(ctx.store, until=ctx.as_of, complete_only=True)
    if not calls:
        return
    latest = scorecard_queries.latest_snapshot(ctx.store, "live")
    if latest is None or latest.n_calls != len(calls):
        card = grade(calls, reps=LIVE_REPS, group_reps=LIVE_REPS // 2)
        save_snapshot(ctx.store, "live", card, as_of=ctx.as_of, now=ctx.clock.now())
        report.add("scorecard_updated")
    done = {m.month for m in scorecard_queries.month_snapshots(ctx.store)}
    current = market_queries.last_usable_date(ctx.as_of).strftime("%Y-%m")
    with ctx.store.read() as s:
        open_months = {
            a.strftime("%Y-%m")
            for a in s.scalars(
                select(Outcome.as_of).where(
                    Outcome.complete.is_(False), Outcome.kind.in_(("signal", "brief"))
                )
            )
        }
    by_month: dict[str, list[Graded]] = {}
    for c in calls:
        by_month.setdefault(c.entry_date.strftime("%Y-%m"), []).append(c)
    for month, month_calls in sorted(by_month.items()):
        if month >= current or month in done or month in open_months:
            continue
        card = grade(month_calls, reps=LIVE_REPS, groups=False, walk=False)
        save_snapshot(ctx.store, "month", card, as_of=ctx.as_of, now=ctx.clock.now(), month=month)
        report.add("months_closed")


def save_snapshot(
    store: Store,
    kind: str,
    card: Scorecard,
    *,
    as_of: datetime,
    now: datetime,
    month: str | None = None,
) -> None:
    """Store a graded scorecard; a live or backtest one replaces the previous of its kind."""
    with store.write() as s:
        if kind != "month":
            s.execute(delete(ScorecardSnapshot).where(ScorecardSnapshot.kind == kind))
        s.add(
            ScorecardSnapshot(
                kind=kind,
                month=month,
                as_of=as_of,
                computed_at=now,
                n_calls=card.n_calls,
                data=card.as_dict(),
            )
        )


def _latest_as_of(ctx: RunContext, kind: str) -> datetime | None:
    with ctx.store.read() as s:
        value: datetime | None = s.scalar(
            select(func.max(Outcome.as_of)).where(Outcome.kind == kind)
        )
        return value


def _call(
    inst: InstrumentView, sig: SignalView, tech: TechnicalsView | None, *, kind: str = "signal"
) -> Call | None:
    """The call a stored signal made, with the levels of the snapshot it was made from
    (``technicals.latest`` until its as_of); None without one."""
    if tech is None or tech.values.get("close") is None:
        return None
    close = float(tech.values["close"] or 0.0)
    pulse = sig.components.get("pulse")
    return Call(
        kind=kind,
        instrument_id=inst.id,
        symbol=inst.symbol,
        asset_class=inst.asset_class,
        as_of=sig.as_of,
        trigger="daily",
        direction=sig.direction,
        pulse=sig.pulse,
        threat=sig.threat,
        risk=sig.risk,
        entry_close=close,
        entry_date=tech.bar_date,
        components=components_of(pulse if isinstance(pulse, list) else []),
        return20_pct=tech.values.get("return20_pct"),
        atr_pct=atr_pct(tech.values),
        realized_vol20_pct=tech.values.get("realized_vol20_pct"),
        levels=named_levels(
            ((lv.kind, lv.price, lv.zone_low, lv.zone_high) for lv in tech.levels), close
        ),
    )


def _snapshots_at(
    ctx: RunContext, wanted: Sequence[tuple[int, datetime]]
) -> dict[tuple[int, datetime], TechnicalsView]:
    """``technicals.latest(instrument, until=as_of)`` for many pairs: one batch per distinct
    as_of (a pass's calls share a handful), instead of three queries per call."""
    by_until: dict[datetime, set[int]] = {}
    for instrument_id, until in wanted:
        by_until.setdefault(until, set()).add(instrument_id)
    out: dict[tuple[int, datetime], TechnicalsView] = {}
    for until, ids in by_until.items():
        for instrument_id, view in technicals_queries.latest_many(
            ctx.store, sorted(ids), until=until
        ).items():
            out[(instrument_id, until)] = view
    return out


def _new_signal_calls(ctx: RunContext, by_id: dict[int, InstrumentView]) -> list[Call]:
    """Signals not yet recorded: all of them on the first run, then those of the last
    LOOKBACK (a replay may run days out of order; one call per instrument and session)."""
    after = ctx.as_of - LOOKBACK if _latest_as_of(ctx, "signal") is not None else None
    with ctx.store.read() as s:
        query = select(Outcome.instrument_id, Outcome.as_of).where(Outcome.kind == "signal")
        if after is not None:
            query = query.where(Outcome.as_of > after)
        seen = {(i, a) for i, a in s.execute(query)}
    pending = [
        (by_id[instrument_id], sig)
        for instrument_id, sig in signals_queries.signals_between(
            ctx.store, after=after, until=ctx.as_of
        )
        if instrument_id in by_id and (instrument_id, sig.as_of) not in seen
    ]
    techs = _snapshots_at(ctx, [(inst.id, sig.as_of) for inst, sig in pending])
    out = []
    for inst, sig in pending:
        call = _call(inst, sig, techs.get((inst.id, sig.as_of)))
        if call is not None:
            out.append(call)
    return out


def _new_brief_calls(
    ctx: RunContext, by_symbol: dict[str, InstrumentView], report: StageReport
) -> list[Call]:
    with ctx.store.read() as s:
        last = int(s.scalar(select(func.max(Outcome.brief_id))) or 0)
    out: list[Call] = []
    while True:
        briefs = newsroom_queries.briefs_after(ctx.store, last, limit=BRIEF_BATCH)
        if not briefs:
            return out
        last = briefs[-1].id
        batch = [
            (brief, next((by_symbol[s] for s in brief.instruments if s in by_symbol), None))
            for brief in briefs
            if brief.as_of <= ctx.as_of
        ]
        # each brief's call is its instrument's latest signal until the brief's as_of, made
        # from that signal's snapshot: read in batches per distinct as_of (a pass has a few)
        by_as_of: dict[datetime, set[int]] = {}
        for brief, inst in batch:
            if inst is not None:
                by_as_of.setdefault(brief.as_of, set()).add(inst.id)
        sigs = {
            (instrument_id, as_of): sig
            for as_of, ids in by_as_of.items()
            for instrument_id, sig in signals_queries.latest_many(
                ctx.store, sorted(ids), until=as_of
            ).items()
        }
        techs = _snapshots_at(ctx, [(i, sig.as_of) for (i, _), sig in sigs.items()])
        for brief, inst in batch:
            sig = sigs.get((inst.id, brief.as_of)) if inst is not None else None
            base = (
                _call(inst, sig, techs.get((inst.id, sig.as_of)), kind="brief")
                if inst is not None and sig is not None
                else None
            )
            if base is None:
                report.add("briefs_without_instrument_call")
                continue
            out.append(
                replace(
                    base,
                    kind="brief",
                    brief_id=brief.id,
                    as_of=brief.as_of,
                    trigger=brief.trigger,
                    direction=brief.direction,
                    pulse=brief.pulse,
                    threat=brief.threat,
                    risk=brief.risk,
                    extra={"slug": brief.slug, "headline": brief.headline},
                )
            )


def _row(call: Call, now: datetime) -> Outcome:
    return Outcome(
        call_key=call.key,
        kind=call.kind,
        instrument_id=call.instrument_id,
        brief_id=call.brief_id,
        as_of=call.as_of,
        trigger=call.trigger,
        direction=call.direction,
        pulse=call.pulse,
        threat=call.threat,
        risk=call.risk,
        inputs=call.inputs(),
        levels=[lv.as_dict() for lv in call.levels],
        measured={},
        sessions_seen=0,
        complete=False,
        filled_through=None,
        computed_at=now,
    )


def _fill(
    ctx: RunContext,
    by_id: dict[int, InstrumentView],
    by_symbol: dict[str, InstrumentView],
    report: StageReport,
) -> None:
    """Measure every incomplete live call again with the bars known now."""
    last_day = market_queries.last_usable_date(ctx.as_of)
    with ctx.store.read() as s:
        rows = s.execute(
            select(
                Outcome.id,
                Outcome.instrument_id,
                Outcome.direction,
                Outcome.inputs,
                Outcome.levels,
                Outcome.sessions_seen,
            )
            .where(
                Outcome.complete.is_(False),
                Outcome.kind.in_(("signal", "brief")),
                Outcome.as_of <= ctx.as_of,
            )
            .order_by(Outcome.instrument_id, Outcome.as_of)
        ).all()
    if not rows:
        return
    with ctx.store.read() as s:
        oldest = s.scalar(
            select(func.min(Outcome.as_of)).where(
                Outcome.complete.is_(False), Outcome.kind.in_(("signal", "brief"))
            )
        )
    days = (ctx.as_of - oldest).days + 10 if oldest is not None else PATH_DAYS
    cache: dict[int, _Series] = {}
    updates: list[dict[str, object]] = []
    for oid, instrument_id, direction, inputs, levels, seen in rows:
        inst = by_id.get(instrument_id)
        if inst is None:
            continue
        entry_date = datetime.fromisoformat(str(inputs["entry_date"])).date()
        series = cache.get(inst.id)
        if series is None:
            series = cache[inst.id] = _bars(ctx, inst.id, days)
        path = series.path(entry_date, last_day)
        if len(path) <= seen:
            continue
        bench = by_symbol.get(inst.benchmark_symbol or "")
        bench_path = None
        if bench is not None and bench.id != inst.id:
            bb = cache.get(bench.id)
            if bb is None:
                bb = cache[bench.id] = _bars(ctx, bench.id, days)
            bench_path = bb.closes(entry_date, path[-1].bar_date)
        m = measure(
            direction=direction,
            entry_close=float(str(inputs["entry_close"])),
            entry_date=entry_date,
            path=path,
            levels=[NamedLevel.of(lv) for lv in levels],
            benchmark=bench_path,
        )
        updates.append(
            {
                "oid": oid,
                "measured": m.as_dict(),
                "sessions_seen": m.sessions,
                "complete": m.complete,
                "filled_through": m.last_date,
                "computed_at": ctx.clock.now(),
            }
        )
        report.add("outcomes_completed" if m.complete else "outcomes_updated")
    # one transaction for the pass's outcomes, as one executemany (it was a transaction per
    # outcome: ~1 ms each, and a live store holds ~40 open outcomes per instrument)
    for start in range(0, len(updates), FILL_CHUNK):
        with ctx.store.write() as s:
            s.connection().execute(_FILL_UPDATE, updates[start : start + FILL_CHUNK])


FILL_CHUNK = 2000
_FILL_UPDATE = (
    update(Outcome)
    .where(Outcome.id == bindparam("oid"))
    .values(
        measured=bindparam("measured"),
        sessions_seen=bindparam("sessions_seen"),
        complete=bindparam("complete"),
        filled_through=bindparam("filled_through"),
        computed_at=bindparam("computed_at"),
    )
)


@dataclass(frozen=True, slots=True)
class _Series:
    """An instrument's stored bars with their reviews: rejected ticks left out, and prices read
    in the units of a call's day, so a confirmed split after the call is not a -50% outcome
    (the call's entry close and levels are in that day's units)."""

    bars: list[BarView]
    splits: list[tuple[date, float]]

    def path(self, entry_date: date, last_day: date) -> list[PathBar]:
        out = []
        for b in self.bars:
            if entry_date < b.bar_date <= last_day:
                f = units_factor(b.bar_date, self.splits, entry_date)
                out.append(PathBar(b.bar_date, b.high * f, b.low * f, b.close * f))
                if len(out) == HORIZONS[-1]:
                    break
        return out

    def closes(self, entry_date: date, through: date) -> list[tuple[date, float]]:
        return [
            (b.bar_date, b.close * units_factor(b.bar_date, self.splits, entry_date))
            for b in self.bars
            if b.bar_date <= through
        ]


def _bars(ctx: RunContext, instrument_id: int, days: int) -> _Series:
    """The instrument's bars known at ctx.as_of over the last ``days`` days, with its reviews."""
    bars = market_queries.bars(ctx.store, instrument_id, until=ctx.as_of, days=days)
    splits, ticks = reviews(ctx.store, instrument_id, until=ctx.as_of.date())
    return _Series([b for b in bars if b.bar_date not in ticks], splits)


def save_backtest(store: Store, results: Sequence[tuple[Call, Measured]], *, now: datetime) -> int:
    """Store a backtest's calls and outcomes, replacing earlier backtest rows of its instruments."""
    ids = sorted({c.instrument_id for c, _ in results})
    with store.write() as s:
        s.execute(delete(Outcome).where(Outcome.kind == "backtest", Outcome.instrument_id.in_(ids)))
        for call, m in results:
            row = _row(call, now)
            row.measured = m.as_dict()
            row.sessions_seen = m.sessions
            row.complete = m.complete
            row.filled_through = m.last_date
            s.add(row)
    return len(results)
