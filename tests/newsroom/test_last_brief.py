"""The newest session brief per instrument is an indexed lookup (``brief_session``), right at any
size (issue #16): it used to scan the 200 newest fact sheets, so beyond 200 instruments a weekend
wrote a second brief on the same bar."""

from __future__ import annotations

import copy
import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import func, insert, select

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.errors import NoNewSessionError
from tapewire.market import queries as market_queries
from tapewire.market.models import Bar, Instrument
from tapewire.net import HttpClient
from tapewire.newsroom import stage as newsroom_stage
from tapewire.newsroom.models import Brief, BriefSession, FactSheet
from tapewire.signals import stage as signals_stage
from tapewire.store import Store
from tapewire.store.core import alembic_config
from tapewire.technicals import stage as technicals_stage

FRIDAY = date(2026, 2, 13)  # Presidents' Day (Monday 16th) closes NYSE: a three-day weekend
RUNS = [datetime(2026, 2, d, tzinfo=UTC) for d in (14, 15, 16, 17)]  # Sat .. Tue: Friday's bar
N_INSTRUMENTS = 1000
N_BARS = 60


def _weekdays(n: int, last: date) -> list[date]:
    out: list[date] = []
    day = last
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day -= timedelta(days=1)
    return out[::-1]


def _seed(store: Store, n: int) -> None:
    """``n`` stocks with ``N_BARS`` distinct sessions each (bulk inserts: this is the setup)."""
    days = _weekdays(N_BARS, FRIDAY)
    with store.write() as s:
        s.execute(
            insert(Instrument),
            [
                {
                    "symbol": f"S{i:04d}",
                    "name": f"Stock {i}",
                    "asset_class": "Stocks",
                    "currency": "USD",
                    "calendar": "XNYS",
                    "aliases": [],
                    "member_of": [],
                    "simulated": False,
                    "active": True,
                }
                for i in range(n)
            ],
        )
        ids = [row[0] for row in s.execute(select(Instrument.id).order_by(Instrument.symbol))]
        rows = []
        for k, inst_id in enumerate(ids):
            for j, day in enumerate(days):
                px = 100.0 + 5.0 * math.sin(2 * math.pi * (j + k) / 26)
                rows.append(
                    {
                        "instrument_id": inst_id,
                        "interval": "1d",
                        "bar_date": day,
                        "open": px,
                        "high": px + 0.6,
                        "low": px - 0.6,
                        "close": px,
                        "volume": 1000.0,
                        "partial": False,
                        "source": "test",
                    }
                )
        s.execute(insert(Bar), rows)


def _run(store: Store, settings: Settings, as_of: datetime, *, analyse: bool) -> None:
    with HttpClient(settings.http) as http:
        ctx = RunContext(
            store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
        )
        if analyse:
            technicals_stage.run(ctx)
            signals_stage.run(ctx)
        newsroom_stage.run(ctx)


def _ctx(store: Store, settings: Settings, as_of: datetime, http: HttpClient) -> RunContext:
    return RunContext(
        store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
    )


def test_one_brief_per_instrument_per_bar_with_1000_instruments_over_a_holiday_weekend(
    sqlite_store: Store, settings: Settings
) -> None:
    """1,000 instruments briefed on Friday's bar; Sunday and Tuesday after Presidents' Day (no new
    bar) write nothing. The Saturday briefs go through the stage's own ``_save`` with one real
    fact sheet re-addressed per instrument (writing 1,000 texts would take minutes); every
    decision afterwards is the stage's own ``write_brief`` over real technicals and signals."""
    store = sqlite_store
    _seed(store, N_INSTRUMENTS)
    saturday, sunday, tuesday = RUNS[0], RUNS[1], RUNS[3]
    with HttpClient(settings.http) as http:
        ctx = _ctx(store, settings, saturday, http)
        technicals_stage.run(ctx)
        signals_stage.run(ctx)
        insts = market_queries.instruments(store)
        assert len(insts) == N_INSTRUMENTS
        latest = newsroom_stage._latest(ctx, insts[0])
        decision, _ = newsroom_stage._decide(ctx, insts[0], latest, watched=True)
        assert decision.write, decision.reason
        facts = newsroom_stage.gather_facts(ctx, insts[0], latest, trigger=decision)
        draft, verification = newsroom_stage.compose_draft(facts, None)
        with store.write() as s:
            for inst in insts:
                sheet = copy.deepcopy(facts)
                sheet["instrument"]["symbol"] = inst.symbol
                slug = newsroom_stage.brief_slug(inst.symbol, "2026-02-14")
                ready = newsroom_stage._Ready(
                    inst, slug, sheet, draft, verification.as_dict(), decision
                )
                newsroom_stage._save(s, ctx, ready)
        assert facts["bar_date"] == FRIDAY.isoformat()
        for as_of in (sunday, tuesday):  # the weekend, then the day after the holiday
            day_ctx = _ctx(store, settings, as_of, http)
            for inst in insts:
                with pytest.raises(NoNewSessionError, match="no new session since the brief"):
                    newsroom_stage.write_brief(day_ctx, inst)
    with store.read() as s:
        rows = s.execute(
            select(Brief.instruments, FactSheet.data)
            .join(FactSheet, FactSheet.id == Brief.fact_sheet_id)
            .where(Brief.primary_tag != "market")
        ).all()
        sessions = s.execute(select(BriefSession.symbol, BriefSession.bar_date)).all()
    per_bar = Counter((instruments[0], data["bar_date"]) for instruments, data in rows)
    assert len(per_bar) == N_INSTRUMENTS and set(per_bar.values()) == {1}
    assert sorted(sessions) == sorted((inst.symbol, FRIDAY) for inst in insts)


def test_the_migration_backfills_brief_session_from_stored_briefs(
    store: Store, settings: Settings
) -> None:
    """Briefs written before the table existed are found after the upgrade (both backends)."""
    _seed(store, 3)
    _run(store, settings, RUNS[0], analyse=True)
    with store.read() as s:
        before = sorted(s.execute(select(BriefSession.brief_id, BriefSession.bar_date)).all())
        briefs = s.scalar(select(func.count(Brief.id)).where(Brief.primary_tag != "market"))
    assert len(before) == briefs == 3
    with store.engine.begin() as connection:
        cfg = alembic_config(store.url)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "hostile")
    assert "brief_session" not in store.table_names()
    store.upgrade()
    with store.read() as s:
        after = sorted(s.execute(select(BriefSession.brief_id, BriefSession.bar_date)).all())
    assert after == before
    _run(store, settings, RUNS[1], analyse=False)  # Sunday: the backfilled row stops a duplicate
    with store.read() as s:
        assert s.scalar(select(func.count(Brief.id)).where(Brief.primary_tag != "market")) == 3
