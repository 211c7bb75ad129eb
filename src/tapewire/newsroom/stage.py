"""Newsroom stage: decide -> facts -> write -> verify -> store, per instrument."""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from tapewire.context import RunContext, StageReport
from tapewire.enrich import queries as enrich_queries
from tapewire.enrich.queries import LinkedItem
from tapewire.errors import NoDataError, NoNewSessionError, TapewireError, VerificationError
from tapewire.market import queries as market_queries
from tapewire.market.queries import InstrumentView
from tapewire.market.sanity import flagged_bars, flags_of, reviewed_bars
from tapewire.newsroom import queries as newsroom_queries
from tapewire.newsroom.brief_index import IndexedBrief, index_briefs, store_brief, store_charts
from tapewire.newsroom.coherence import TWINS, cohere
from tapewire.newsroom.decide import (
    Decision,
    Event,
    PreviousSession,
    check_data,
    decide_daily,
    decide_story,
    find_events,
)
from tapewire.newsroom.facts import build_facts, build_history
from tapewire.newsroom.market_brief import market_view, write_market_brief
from tapewire.newsroom.models import Brief, BriefSession, FactSheet
from tapewire.newsroom.models import Verification as VerificationRow
from tapewire.newsroom.pair import read_pair_facts
from tapewire.newsroom.tape import add_tape_facts
from tapewire.newsroom.verify import Verification, verify_draft
from tapewire.newsroom.writers.base import Draft
from tapewire.newsroom.writers.llm import (
    MAX_PROBLEMS,
    Feedback,
    LlmAnswerError,
    LlmWriter,
    prompt_facts,
)
from tapewire.newsroom.writers.template import TemplateWriter, read_minutes
from tapewire.signals import queries as signals_queries
from tapewire.signals.queries import SignalView
from tapewire.store.base import table_of as _table
from tapewire.store.upsert import AlreadyStoredError, new_row_values
from tapewire.technicals import queries as technicals_queries
from tapewire.technicals.queries import TechnicalsView

log = logging.getLogger(__name__)
CHART_BARS = 120
# Calendar days of bars the range extremes are computed from: technicals.stage.HISTORY_DAYS (a
# stage's constant, not importable here; tests/newsroom/test_claims.py holds them equal).
HISTORY_DAYS = 440
CHUNK = 200  # instruments whose latest reads are made together, and briefs stored in one commit
_T = TypeVar("_T")


def brief_slug(symbol: str, as_of_day: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", symbol.lower()).strip("-") + "-" + as_of_day


def _previous_session(
    ctx: RunContext, inst: InstrumentView, tech: TechnicalsView
) -> PreviousSession | None:
    """The instrument's previous session as stored: its close, levels and direction."""
    prev = technicals_queries.latest(ctx.store, inst.id, until=ctx.as_of, before_bar=tech.bar_date)
    if prev is None or prev.values.get("close") is None:
        return None
    # Only the map of the session just before counts: an older stored snapshot (days computed
    # out of order, a gap in runs) would turn a level from months ago into today's "break".
    if prev.bar_date != market_queries.previous_bar_date(ctx.store, inst.id, before=tech.bar_date):
        return None
    prev_signal = signals_queries.latest(ctx.store, inst.id, until=prev.as_of)
    if prev_signal is None:
        return None
    return PreviousSession(
        prev.bar_date,
        float(prev.values["close"] or 0.0),
        tuple((lv.kind, lv.price) for lv in prev.levels),
        prev_signal.direction,
    )


_UNREAD: Any = object()


class _ChunkBars:
    """The fact sheets' bars (``HISTORY_DAYS``, reviewed as ``reviewed_bars`` gives them) of a
    chunk of instruments, read in two queries on the first instrument that needs them (a
    weekend pass writes no session brief and reads none)."""

    def __init__(self, ctx: RunContext, ids: Sequence[int]) -> None:
        self._ctx, self._ids = ctx, list(ids)
        self._bars: dict[int, list[market_queries.BarView]] | None = None
        self._flags: dict[int, list[tuple[date, str, bool]]] = {}

    def reviewed(self, instrument_id: int) -> list[market_queries.BarView]:
        ctx = self._ctx
        if self._bars is None:
            # the technicals stage of the same run read them (the run's cache), else read here
            self._bars = market_queries.bars_of(
                ctx.store, self._ids, until=ctx.as_of, days=HISTORY_DAYS, shared=ctx.cache
            )
            firsts = [b[0].bar_date for b in self._bars.values() if b]
            if firsts:
                self._flags = flags_of(
                    ctx.store,
                    self._ids,
                    since=min(firsts),
                    until=max(b[-1].bar_date for b in self._bars.values() if b),
                )
        if instrument_id not in self._bars:  # not of this chunk: read alone
            return _reviewed_history(ctx, instrument_id)
        return reviewed_bars(
            ctx.store,
            instrument_id,
            self._bars[instrument_id],
            flags=self._flags.get(instrument_id, []),
        )


def _reviewed_history(ctx: RunContext, instrument_id: int) -> list[market_queries.BarView]:
    """The instrument's bars of the last ``HISTORY_DAYS`` in the indicators' units: a confirmed
    split back-adjusted, rejected ticks left out."""
    return reviewed_bars(
        ctx.store,
        instrument_id,
        market_queries.bars(ctx.store, instrument_id, until=ctx.as_of, days=HISTORY_DAYS),
    )


@dataclass(frozen=True, slots=True)
class _Latest:
    """The instrument's newest signal and technicals as of ``ctx.as_of``, read once per brief."""

    signal: SignalView | None
    tech: TechnicalsView | None
    # the run's news of every instrument, read once (``run``); None: read this instrument's
    window: enrich_queries.NewsWindow | None = None
    # read for a chunk of instruments at once (``_latest_many``); _UNREAD: read when needed
    previous: Any = _UNREAD  # PreviousSession | None
    last_brief: Any = _UNREAD  # LastBrief | None
    bars: _ChunkBars | None = None  # the chunk's history bars, read once when first needed

    def news(self, ctx: RunContext, inst: InstrumentView, hours: float) -> list[LinkedItem]:
        """``instrument_news`` of the last ``hours`` before ``ctx.as_of``."""
        since = ctx.as_of - timedelta(hours=hours)
        if self.window is not None and self.window.since <= since:
            return self.window.news(inst.id, since=since)
        return enrich_queries.instrument_news(ctx.store, inst.id, since=since, until=ctx.as_of)

    def named(self, ctx: RunContext, inst: InstrumentView, hours: float) -> list[LinkedItem]:
        """``linked_items`` (named links only) of the last ``hours`` before ``ctx.as_of``."""
        since = ctx.as_of - timedelta(hours=hours)
        if self.window is not None and self.window.since <= since:
            return self.window.named(inst.id, since=since)
        return enrich_queries.linked_items(ctx.store, inst.id, since=since, until=ctx.as_of)


def _latest(
    ctx: RunContext, inst: InstrumentView, window: enrich_queries.NewsWindow | None = None
) -> _Latest:
    return _Latest(
        signals_queries.latest(ctx.store, inst.id, until=ctx.as_of),
        technicals_queries.latest(ctx.store, inst.id, until=ctx.as_of),
        window,
        last_brief=_last_brief(ctx, inst.symbol),  # read once: the decision and the facts use it
    )


def _latest_many(
    ctx: RunContext, insts: Sequence[InstrumentView], window: enrich_queries.NewsWindow | None
) -> dict[int, _Latest]:
    """``_latest`` of many instruments, with each one's previous session and last brief bar,
    in a handful of queries (issue #16): the same values as the per-instrument reads
    (tests/newsroom/test_batched_reads.py compares them on a real replay)."""
    ids = [i.id for i in insts]
    signals = signals_queries.latest_many(ctx.store, ids, until=ctx.as_of)
    techs = technicals_queries.latest_many(ctx.store, ids, until=ctx.as_of)
    last_briefs = _last_briefs(ctx, [i.symbol for i in insts])
    # the previous session: for instruments with a signal and a close, grouped by their bar
    by_bar: dict[date, list[int]] = {}
    for inst_id in ids:
        tech = techs.get(inst_id)
        if inst_id in signals and tech is not None and tech.values.get("close") is not None:
            by_bar.setdefault(tech.bar_date, []).append(inst_id)
    prevs: dict[int, TechnicalsView] = {}
    for bar_date, group in by_bar.items():
        before = technicals_queries.latest_many(
            ctx.store, group, until=ctx.as_of, before_bar=bar_date
        )
        sessions = market_queries.previous_bar_dates(ctx.store, group, before=bar_date)
        for inst_id, prev in before.items():
            # only the map of the session just before counts (see _previous_session)
            if prev.values.get("close") is not None and prev.bar_date == sessions.get(inst_id):
                prevs[inst_id] = prev
    by_as_of: dict[Any, list[int]] = {}
    for inst_id, prev in prevs.items():
        by_as_of.setdefault(prev.as_of, []).append(inst_id)
    prev_signals: dict[int, SignalView] = {}
    for as_of, group in by_as_of.items():
        prev_signals |= signals_queries.latest_many(ctx.store, group, until=as_of)
    chunk_bars = _ChunkBars(ctx, ids)
    out: dict[int, _Latest] = {}
    for inst in insts:
        snapshot = prevs.get(inst.id)
        prev_signal = prev_signals.get(inst.id)
        previous = (
            PreviousSession(
                snapshot.bar_date,
                float(snapshot.values["close"] or 0.0),
                tuple((lv.kind, lv.price) for lv in snapshot.levels),
                prev_signal.direction,
            )
            if snapshot is not None and prev_signal is not None
            else None
        )
        out[inst.id] = _Latest(
            signals.get(inst.id),
            techs.get(inst.id),
            window,
            previous=previous,
            last_brief=last_briefs.get(inst.symbol),
            bars=chunk_bars,
        )
    return out


def _decide(
    ctx: RunContext, inst: InstrumentView, latest: _Latest, *, watched: bool
) -> tuple[Decision, list[Event]]:
    signal, tech = latest.signal, latest.tech
    events: list[Event] = []
    if signal is not None and tech is not None and tech.values.get("close") is not None:
        events = find_events(
            close=float(tech.values["close"] or 0.0),
            bar_date=tech.bar_date,
            direction=signal.direction,
            previous=(
                _previous_session(ctx, inst, tech)
                if latest.previous is _UNREAD
                else latest.previous
            ),
            atr=tech.values.get("atr14"),
        )
    decision = decide_daily(
        has_signal=signal is not None and tech is not None,
        last_bar=tech.bar_date if tech else None,
        as_of=ctx.as_of,
        calendar=inst.calendar,
        max_behind=ctx.settings.market.max_trading_days_behind,
        last_brief_bar=last.bar_date if (last := _last_of(ctx, inst, latest)) else None,
        watched=watched,
        events=events,
    )
    return decision, events


def _check_fresh(ctx: RunContext, inst: InstrumentView, latest: _Latest) -> None:
    """Raises NoDataError on stale or missing data (the message says which)."""
    signal, tech = latest.signal, latest.tech
    data = check_data(
        has_signal=signal is not None and tech is not None,
        last_bar=tech.bar_date if tech else None,
        as_of=ctx.as_of,
        calendar=inst.calendar,
        max_behind=ctx.settings.market.max_trading_days_behind,
    )
    if not data.write:
        raise NoDataError(f"{inst.symbol}: {data.reason}{_held_bars_hint(ctx, inst, tech)}")


def _is_data_gap(reason: str) -> bool:
    return reason.startswith(("stale:", "no bars"))


def _held_bars_hint(ctx: RunContext, inst: InstrumentView, tech: TechnicalsView | None) -> str:
    """Why the data stops where it does when the price sanity check holds bars back: a
    suspected split leaves every later bar out until someone confirms it, and "no bars" alone
    would send the reader looking for a missing file."""
    after = tech.bar_date if tech else None
    held = [
        (day, flag)
        for day, flag, accepted in flagged_bars(ctx.store, inst.id)
        if not accepted and day <= ctx.as_of.date() and (after is None or day > after)
    ]
    if not held:
        return ""
    day, flag = held[0]
    return (
        f"; bars from {day} are held for review ({flag}): check them, then "
        f"`tapewire prices confirm {inst.symbol} {day}` accepts them"
    )


def gather_facts(
    ctx: RunContext,
    inst: InstrumentView,
    latest: _Latest,
    *,
    trigger: Decision | None = None,
    events: Sequence[Event] = (),
    lead_story: int | None = None,
) -> dict[str, Any]:
    """The fact sheet for one instrument as of ``ctx.as_of``, from data already found fresh.

    Raises:
        NoDataError: no signal or technicals (the caller checks freshness first).
    """
    signal, tech = latest.signal, latest.tech
    if signal is None or tech is None:
        raise NoDataError(f"{inst.symbol}: no signals computed: not enough history")
    news = latest.news(ctx, inst, ctx.settings.newsroom.news_window_hours)
    benchmark = None
    bench_tech = None
    if inst.benchmark_symbol and (
        bench := market_queries.instrument(ctx.store, inst.benchmark_symbol)
    ):
        bench_tech = technicals_queries.latest(ctx.store, bench.id, until=ctx.as_of)
        benchmark = (bench.symbol, bench_tech.values.get("return20_pct") if bench_tech else None)
    # in the indicators' units: a confirmed split back-adjusted, rejected ticks left out
    bars = (
        latest.bars.reviewed(inst.id)
        if latest.bars is not None
        else _reviewed_history(ctx, inst.id)
    )
    facts = build_facts(
        instrument=inst,
        technicals=tech,
        signal=signal,
        news=news,
        benchmark=benchmark,
        as_of=ctx.as_of,
        lead_story=lead_story,
        history=build_history(bars, bar_date=tech.bar_date),
    )
    facts |= read_pair_facts(ctx.store, inst, until=ctx.as_of)  # 20/60-session pair, spread
    # news the instrument's previous brief could already lead with does not lead this one
    last = _last_of(ctx, inst, latest)
    facts["news_since"] = last.as_of.isoformat() if last is not None else None
    facts["twin"] = _twin_facts(ctx, inst, signal)
    facts["trigger"] = {
        "kind": trigger.trigger if trigger else "daily",
        "reason": trigger.reason if trigger else "requested",
        "events": [asdict(e) for e in events],
    }
    bars = bars[-CHART_BARS:]
    facts["chart"] = {
        "dates": [b.bar_date.isoformat() for b in bars],
        "closes": [b.close for b in bars],
    }
    if facts["benchmark"] and bench_tech is not None and bench_tech.bar_date == tech.bar_date:
        facts["benchmark"]["change_pct"] = bench_tech.values.get("change_pct")  # the same session
    add_tape_facts(facts)  # streaks, ranges, moves since each news item (newsroom.tape)
    return facts


def _twin_facts(ctx: RunContext, inst: InstrumentView, signal: SignalView) -> dict[str, Any] | None:
    """The read of the instrument's index/fund twin (coherence.TWINS) computed for the same
    ``as_of``, or None."""
    symbol = TWINS.get(inst.symbol)
    twin = market_queries.instrument(ctx.store, symbol) if symbol else None
    if twin is None:
        return None
    read = signals_queries.latest(ctx.store, twin.id, until=ctx.as_of)
    if read is None or read.as_of != signal.as_of:
        return None
    return {
        "symbol": twin.symbol,
        "is_fund": twin.asset_class == "ETFs" or not twin.symbol.startswith("^"),
        "direction": read.direction,
        "pulse": read.pulse,
        "components": read.components.get("pulse", []),
    }


@dataclass(frozen=True, slots=True)
class LastBrief:
    """The instrument's newest session brief before ``ctx.as_of``: the bar it was written from
    (no second brief on one bar) and its as_of (what news it could already lead with)."""

    bar_date: date
    as_of: datetime


def _last_of(ctx: RunContext, inst: InstrumentView, latest: _Latest) -> LastBrief | None:
    last: LastBrief | None = (
        _last_brief(ctx, inst.symbol) if latest.last_brief is _UNREAD else latest.last_brief
    )
    return last


def _last_brief(ctx: RunContext, symbol: str) -> LastBrief | None:
    """The instrument's latest earlier session brief (one indexed lookup in ``brief_session``,
    written with each session brief)."""
    with ctx.store.read() as s:
        row = s.execute(
            select(BriefSession.bar_date, BriefSession.as_of)
            .where(BriefSession.symbol == symbol, BriefSession.as_of < ctx.as_of)
            .order_by(BriefSession.as_of.desc(), BriefSession.brief_id.desc())
            .limit(1)
        ).first()
    return LastBrief(row[0], row[1]) if row is not None else None


def _last_briefs(ctx: RunContext, symbols: list[str]) -> dict[str, LastBrief]:
    """``_last_brief`` of many symbols in one query (symbols without a brief absent)."""
    if not symbols:
        return {}
    newest = (
        select(BriefSession.symbol, func.max(BriefSession.as_of).label("as_of"))
        .where(BriefSession.symbol.in_(symbols), BriefSession.as_of < ctx.as_of)
        .group_by(BriefSession.symbol)
        .subquery()
    )
    with ctx.store.read() as s:
        rows = s.execute(
            select(
                BriefSession.symbol,
                BriefSession.brief_id,
                BriefSession.bar_date,
                BriefSession.as_of,
            ).join(
                newest,
                (BriefSession.symbol == newest.c.symbol) & (BriefSession.as_of == newest.c.as_of),
            )
        ).all()
    best: dict[str, tuple[int, LastBrief]] = {}
    for symbol, brief_id, bar_date, as_of in rows:  # ties on as_of: the newest brief, as the lookup
        if symbol not in best or brief_id > best[symbol][0]:
            best[symbol] = (brief_id, LastBrief(bar_date, as_of))
    return {symbol: last for symbol, (_, last) in best.items()}


def write_brief(
    ctx: RunContext,
    inst: InstrumentView,
    *,
    watched: bool = True,
    llm: LlmWriter | None = None,
    latest: _Latest | None = None,
) -> tuple[str, bool]:
    """The session brief for one instrument: write, verify and store it; returns (slug, created).

    Args:
        watched: The instrument is on the watchlist (see ``_decide``).
        llm: The LLM writer to try first (default: one built from ``ctx.settings.llm`` when it
            is enabled; the stage passes one for the whole run).
        latest: The instrument's newest signal and technicals, when the caller read them.

    Raises:
        NoDataError: stale or missing data, or nothing triggered a brief (the message says why).
        NoNewSessionError: no bar since the last session brief (it still stands).
        VerificationError: the text failed verification (nothing is stored).
    """
    ready = _session_brief(ctx, inst, watched=watched, llm=llm, latest=latest)
    return (ready, False) if isinstance(ready, str) else _store_one(ctx, ready)


def _session_brief(
    ctx: RunContext,
    inst: InstrumentView,
    *,
    watched: bool,
    llm: LlmWriter | None,
    latest: _Latest | None,
    stored: Collection[str] | None = None,
) -> _Ready | str:
    """``write_brief`` up to the store: the verified brief to save, or its slug when a brief
    with that slug is already stored (``stored``: the chunk's stored slugs, read at once;
    None: look this one up)."""
    slug = brief_slug(inst.symbol, ctx.as_of.date().isoformat())
    if stored is None:
        with ctx.store.read() as s:
            if s.scalar(select(Brief.id).where(Brief.slug == slug)) is not None:
                return slug
    elif slug in stored:
        return slug
    latest = latest or _latest(ctx, inst)
    decision, events = _decide(ctx, inst, latest, watched=watched)
    if decision.reason.startswith("no new session"):
        raise NoNewSessionError(f"{inst.symbol}: {decision.reason}")
    if not decision.write:
        hint = _held_bars_hint(ctx, inst, latest.tech) if _is_data_gap(decision.reason) else ""
        raise NoDataError(f"{inst.symbol}: {decision.reason}{hint}")
    facts = gather_facts(ctx, inst, latest, trigger=decision, events=events)
    return _compose(ctx, inst, slug, facts, decision, llm=llm)


def write_story_brief(
    ctx: RunContext,
    inst: InstrumentView,
    *,
    llm: LlmWriter | None = None,
    latest: _Latest | None = None,
) -> tuple[str, bool] | None:
    """A hot story's own brief (``newsroom.heat_threshold``), once per story; None when no
    story qualifies. The lead story is the one told by the most outlets in the instrument's own
    linked items of the last 24 hours."""
    ready = _story_brief(ctx, inst, llm=llm, latest=latest)
    return None if ready is None else _store_one(ctx, ready)


def _story_brief(
    ctx: RunContext,
    inst: InstrumentView,
    *,
    llm: LlmWriter | None,
    latest: _Latest | None,
) -> _Ready | None:
    """``write_story_brief`` up to the store: the verified brief to save, or None."""
    latest = latest or _latest(ctx, inst)
    if latest.signal is None:
        return None
    day = latest.named(ctx, inst, 24)
    outlets: dict[int, set[str]] = {}
    for item in day:
        if item.story_id is not None:
            outlets.setdefault(item.story_id, set()).add(item.outlet or item.publisher_domain)
    if not outlets:
        return None
    newest = {i.story_id: i.published_at for i in sorted(day, key=lambda i: i.published_at)}
    lead_id = max(outlets, key=lambda sid: (len(outlets[sid]), newest[sid], sid))
    decision = decide_story(
        heat=latest.signal.heat,
        threshold=ctx.settings.newsroom.heat_threshold,
        story_outlets=len(outlets[lead_id]),
        already_written=newsroom_queries.story_brief_exists(ctx.store, inst.symbol, lead_id),
    )
    if not decision.write:
        return None
    _check_fresh(ctx, inst, latest)
    slug = brief_slug(inst.symbol, f"{ctx.as_of:%Y-%m-%d}-story-{lead_id}")
    facts = gather_facts(ctx, inst, latest, trigger=decision, lead_story=lead_id)
    return _compose(ctx, inst, slug, facts, decision, llm=llm)


@dataclass(frozen=True, slots=True)
class _Ready:
    """A brief written and verified, not stored yet: ``_save`` stores it."""

    inst: InstrumentView
    slug: str
    facts: dict[str, Any]
    draft: Draft
    verification: dict[str, Any]
    decision: Decision

    @property
    def rewritten(self) -> bool:
        """Rewritten by a coherence rule (the notes stored with it say so, as
        ``newsroom_queries.brief_rewritten`` reads them back)."""
        return any(str(n).startswith("coherence rewrite:") for n in self.draft.notes)


def _compose(
    ctx: RunContext,
    inst: InstrumentView,
    slug: str,
    facts: dict[str, Any],
    decision: Decision,
    *,
    llm: LlmWriter | None,
) -> _Ready:
    """Write and verify (no store access).

    Raises:
        VerificationError: the text failed verification.
        CoherenceError: a coherence rule refused the text.
    """
    draft, verification = compose_draft(facts, llm or llm_writer(ctx))
    if not verification.ok:
        failed = verification.failed
        kinds = ", ".join(sorted({c.kind for c in failed}))
        bad = ", ".join(repr(c.text) for c in failed[:5])
        raise VerificationError(
            f"{inst.symbol}: brief rejected: {len(failed)} ungrounded claims ({kinds}) in the "
            f"{draft.writer} text: {bad}"
        )
    draft, rewritten = cohere(draft, facts)  # raises CoherenceError: not published
    verification = rewritten or verification
    return _Ready(inst, slug, facts, draft, verification.as_dict(), decision)


def _store_one(ctx: RunContext, ready: _Ready) -> tuple[str, bool]:
    """Store one brief in its own transaction; returns (slug, created): not created when another
    writer on the store published the same slug meanwhile (the insert is idempotent, not
    check-then-insert)."""
    try:
        with ctx.store.write() as s:
            _save(s, ctx, ready)
    except AlreadyStoredError:  # another writer on this store published it first
        return ready.slug, False
    return ready.slug, True


def _store_each(ctx: RunContext, report: StageReport, chunk: Sequence[_Ready]) -> list[_Ready]:
    """The chunk in one transaction, a savepoint per brief: a brief that fails rolls back alone
    (reported), with its alerts; returns the briefs stored."""
    stored: list[_Ready] = []
    with ctx.store.write() as s:
        for ready in chunk:
            try:
                with s.begin_nested():
                    _save(s, ctx, ready)
            except AlreadyStoredError:  # another writer on this store published it first
                report.add("already_written")
                continue
            except (TapewireError, DBAPIError) as exc:
                if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                    raise
                report.fail(ready.inst.symbol, f"brief {ready.slug} not stored: {_one_line(exc)}")
                log.warning("%s: brief %s not stored: %s", ready.inst.symbol, ready.slug, exc)
                continue
            stored.append(ready)
    return stored


def _store_chunk(ctx: RunContext, report: StageReport, chunk: Sequence[_Ready]) -> None:
    """Store a chunk's briefs in one transaction (issue #16: one commit per chunk, not per
    brief), in a few multi-row statements (``_save_many``). When that fails, the chunk is
    rolled back and stored again with a savepoint per brief (``_store_each``): a brief that
    fails rolls back alone, with its alerts, and the others are stored. What follows a
    publication (the report's counts, ``after_brief_published``) runs after the commit, for
    the briefs the commit stored."""
    if not chunk:
        return
    try:
        with ctx.store.write() as s:
            _save_many(s, ctx, chunk)
        stored = list(chunk)
    except (DBAPIError, TapewireError, _Uneven) as exc:  # rolled back: one savepoint each
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            raise
        log.info("a chunk of %d briefs is stored brief by brief: %s", len(chunk), _one_line(exc))
        stored = _store_each(ctx, report, chunk)
    for ready in stored:
        report.add("briefs")
        if ready.rewritten:
            report.add("rewritten")
        for hook in ctx.hooks.after_brief_published:
            hook(ready.slug)


def llm_writer(ctx: RunContext) -> LlmWriter | None:
    """The LLM writer of ``ctx.settings.llm``, or None when it is off (the default)."""
    return LlmWriter(ctx.http, ctx.settings.llm) if ctx.settings.llm.enabled else None


def compose_draft(facts: dict[str, Any], llm: LlmWriter | None) -> tuple[Draft, Verification]:
    """The LLM's draft if one of two attempts verifies, else the template writer's.

    No network I/O happens inside a store transaction: the caller writes afterwards. The draft's
    notes say which attempts failed and why; they are stored on the verification row.
    """
    notes: list[str] = []
    if llm is not None:
        feedback: Feedback | None = None
        for attempt in (1, 2):
            outcome = _try_llm(llm, facts, feedback)
            if not isinstance(outcome, Feedback):
                draft, verification = outcome
                return replace(draft, notes=tuple(notes)), verification
            feedback = outcome
            notes.append(f"{llm.name} attempt {attempt} rejected: {'; '.join(outcome.problems)}")
            log.info("%s: %s", facts["instrument"]["symbol"], notes[-1])
        notes.append("written by the template writer instead")
    draft = TemplateWriter().write(facts)
    return replace(draft, notes=tuple(notes)), verify_draft(draft, facts)


def _try_llm(
    llm: LlmWriter, facts: dict[str, Any], feedback: Feedback | None
) -> tuple[Draft, Verification] | Feedback:
    """One attempt: the verified draft, or why it failed (for the notes and the retry).

    The draft is verified against the facts the model saw (the fact sheet without its chart).
    """
    try:
        draft = llm.write(facts, feedback=feedback)
    except LlmAnswerError as exc:
        return Feedback(exc.answer, (_one_line(exc),))
    except TapewireError as exc:  # HTTP error, timeout, refused address
        return Feedback(None, (_one_line(exc),))
    verification = verify_draft(draft, prompt_facts(facts))
    if verification.ok:
        return draft, verification
    failed = verification.failed
    claims = ", ".join(f"{c.text!r} ({c.kind})" for c in failed[:MAX_PROBLEMS])
    return Feedback(_draft_json(draft), (f"{len(failed)} claims not in the fact sheet: {claims}",))


def _draft_json(draft: Draft) -> str:
    return json.dumps(
        {"headline": draft.headline, "dek": draft.dek, **draft.sections}, ensure_ascii=False
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


_SHEET_INSERT = insert(_table(FactSheet)).returning(_table(FactSheet).c.id)
_VERIFICATION_INSERT = insert(_table(VerificationRow))
_SESSION_INSERT = insert(_table(BriefSession))
# a chunk's rows, several per statement; the ids come back in the rows' order
_SHEETS_INSERT = insert(_table(FactSheet)).returning(
    _table(FactSheet).c.id, sort_by_parameter_order=True
)
_BRIEFS_INSERT = insert(_table(Brief)).returning(_table(Brief).c.id, sort_by_parameter_order=True)


class _Uneven(Exception):
    """The chunk's brief rows do not share one set of columns: stored brief by brief."""


def _save(s: Any, ctx: RunContext, ready: _Ready) -> None:
    """One brief, in the caller's transaction (``_store_one``, or a savepoint of a chunk)."""
    # Core inserts on the session's connection: no unit of work, no ORM bulk-insert path (#16)
    c = s.connection()
    sheet_id = c.execute(_SHEET_INSERT, {"as_of": ctx.as_of, "data": ready.facts}).scalar_one()
    brief = _brief_row(ctx, ready, sheet_id)
    brief_id = store_brief(s, brief)  # indexed in the same transaction
    ctx.emit(s, "brief", {"symbol": ready.inst.symbol, "row": brief})  # alerts, same transaction
    c.execute(_VERIFICATION_INSERT, _verification_row(ctx, ready, brief_id))
    if (session := _session_row(ctx, ready, brief_id)) is not None:
        c.execute(_SESSION_INSERT, session)


def _save_many(s: Any, ctx: RunContext, chunk: Sequence[_Ready]) -> None:
    """A chunk's briefs in a few multi-row statements (issue #16: seven statements per brief
    were most of PostgreSQL's time): the same rows, ids and order as ``_save`` one by one, and
    the same events, emitted once the chunk's rows are in.

    Raises on any failure, a brief already stored included (a plain insert: its slug is
    unique); the caller rolls the chunk back and stores it brief by brief."""
    c = s.connection()
    sheets = [{"as_of": ctx.as_of, "data": ready.facts} for ready in chunk]
    sheet_ids = list(c.execute(_SHEETS_INSERT, sheets).scalars())
    briefs = [_brief_row(ctx, r, i) for r, i in zip(chunk, sheet_ids, strict=True)]
    rows = [new_row_values(brief) for brief in briefs]
    if len({tuple(row) for row in rows}) != 1:
        raise _Uneven
    for brief, brief_id in zip(briefs, c.execute(_BRIEFS_INSERT, rows).scalars(), strict=True):
        brief.id = brief_id
    index_briefs(s, [IndexedBrief.of(brief) for brief in briefs])
    store_charts(s, briefs)  # what store_brief does for one brief (web5's stored charts)
    c.execute(
        _VERIFICATION_INSERT,
        [_verification_row(ctx, r, b.id) for r, b in zip(chunk, briefs, strict=True)],
    )
    sessions = [_session_row(ctx, r, b.id) for r, b in zip(chunk, briefs, strict=True)]
    if any(sessions):
        c.execute(_SESSION_INSERT, [row for row in sessions if row is not None])
    for ready, brief in zip(chunk, briefs, strict=True):
        ctx.emit(s, "brief", {"symbol": ready.inst.symbol, "row": brief})


def _brief_row(ctx: RunContext, ready: _Ready, sheet_id: int) -> Brief:
    inst, facts, draft, decision = ready.inst, ready.facts, ready.draft, ready.decision
    sig = facts["signals"]
    return Brief(
        slug=ready.slug,
        as_of=ctx.as_of,
        published_at=ctx.clock.now(),
        category=inst.asset_class,
        primary_tag=draft.tags[0],
        tags=list(draft.tags),
        instruments=[inst.symbol],
        direction=sig["direction"],
        pulse=sig["pulse"],
        heat=sig["heat"],
        heat_label=sig["heat_label"],
        risk=sig["risk"],
        threat=sig["threat"],
        headline=draft.headline,
        dek=draft.dek,
        sections=draft.sections,
        sources=facts["news"],
        chart={**facts["chart"], "levels": facts["levels"]},
        read_minutes=read_minutes(draft),
        writer=draft.writer,
        trigger=decision.trigger,
        trigger_reason=decision.reason[:500],
        simulated=inst.simulated,
        fact_sheet_id=sheet_id,
        outcome=None,
    )


def _verification_row(ctx: RunContext, ready: _Ready, brief_id: int) -> dict[str, Any]:
    verification = ready.verification
    return {
        "brief_id": brief_id,
        "ok": verification["ok"],
        "checked": verification["checked"],
        "failed": verification["failed"],
        "claims": verification["claims"],
        "rounding": verification["rounding"],
        "checked_at": ctx.clock.now(),
        "notes": list(ready.draft.notes),
    }


def _session_row(ctx: RunContext, ready: _Ready, brief_id: int) -> dict[str, Any] | None:
    """The ``brief_session`` row of a session brief (the next one needs a newer bar); None for
    a story brief."""
    if ready.decision.trigger == "heat":
        return None
    return {
        "brief_id": brief_id,
        "symbol": ready.inst.symbol,
        "as_of": ctx.as_of,
        "bar_date": date.fromisoformat(str(ready.facts["bar_date"])),
        "direction": ready.facts["signals"]["direction"],
    }


def run(ctx: RunContext) -> StageReport:
    """Every instrument's session and story briefs, then the market brief."""
    report = run_instruments(ctx)
    _attempt(ctx, report, market_view(), functools.partial(write_market_brief, ctx, quiet=True))
    return report


def run_instruments(
    ctx: RunContext, *, instrument_ids: Collection[int] | None = None
) -> StageReport:
    """The session and story briefs of every instrument (``instrument_ids``: only these, a
    queued task's slice of the pass), without the market brief (``run_market``)."""
    report = StageReport("newsroom")
    watchlist = set(ctx.settings.newsroom.watchlist)
    llm = llm_writer(ctx)  # one per run: it remembers whether the server takes response_format
    # every instrument's news read once for the run (issue #16), not once per instrument
    hours = max(ctx.settings.newsroom.news_window_hours, 24)  # 24: the story brief's day
    window = enrich_queries.NewsWindow(
        ctx.store, since=ctx.as_of - timedelta(hours=hours), until=ctx.as_of
    )
    insts = market_queries.instruments(ctx.store)
    if instrument_ids is not None:
        wanted = set(instrument_ids)
        insts = [i for i in insts if i.id in wanted]
    day = ctx.as_of.date().isoformat()
    for k in range(0, len(insts), CHUNK):
        chunk = insts[k : k + CHUNK]
        reads = _latest_many(ctx, chunk, window)  # signals, technicals, previous sessions
        stored = newsroom_queries.stored_slugs(
            ctx.store, [brief_slug(i.symbol, day) for i in chunk]
        )
        ready: list[_Ready] = []
        for inst in chunk:
            watched = not watchlist or inst.symbol in watchlist
            latest = reads[inst.id]  # read once for both briefs (nothing between writes them)
            session = _guarded(
                report,
                inst,
                functools.partial(
                    _session_brief,
                    ctx,
                    inst,
                    watched=watched,
                    llm=llm,
                    latest=latest,
                    stored=stored,
                ),
            )
            if isinstance(session, str):
                report.add("already_written")
            elif session is not None:
                ready.append(session)
            story = _guarded(
                report, inst, functools.partial(_story_brief, ctx, inst, llm=llm, latest=latest)
            )
            if story is not None:
                ready.append(story)
        _store_chunk(ctx, report, ready)
    return report


def run_market(ctx: RunContext) -> StageReport:
    """The market brief of the run, as ``run`` writes it last."""
    report = StageReport("newsroom")
    _attempt(ctx, report, market_view(), functools.partial(write_market_brief, ctx, quiet=True))
    return report


def _attempt(
    ctx: RunContext,
    report: StageReport,
    inst: InstrumentView,
    attempt: Callable[[], tuple[str, bool] | None],
) -> None:
    result = _guarded(report, inst, attempt)
    if result is None:
        return
    slug, created = result
    report.add("briefs" if created else "already_written")
    if created and newsroom_queries.brief_rewritten(ctx.store, slug):
        report.add("rewritten")
    if created:
        for hook in ctx.hooks.after_brief_published:
            hook(slug)


def _guarded(report: StageReport, inst: InstrumentView, attempt: Callable[[], _T]) -> _T | None:
    """``attempt()``, or None when it raised a TapewireError: counted and reported."""
    try:
        return attempt()
    except NoNewSessionError:
        report.add("no_new_session")
    except NoDataError as exc:
        report.add("not_written")
        log.info("%s", exc)
        if "not on the watchlist" not in str(exc):
            report.fail(inst.symbol, str(exc))
    except VerificationError as exc:  # not published: counted and said, never silent
        report.add("rejected")
        report.fail(inst.symbol, str(exc).removeprefix(f"{inst.symbol}: "))
        log.warning("%s", exc)
    except TapewireError as exc:
        report.fail(inst.symbol, str(exc))
    return None
