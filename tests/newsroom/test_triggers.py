"""The newsroom stage's triggers over a real store (SQLite and Postgres): the watchlist's daily
briefs, a level break on an instrument nobody watches, and a hot story's own brief, once."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.demo.run import run_demo
from tapewire.market.providers import BarIn, ParsedBars
from tapewire.market.stage import InstrumentSpec, save_bars, save_instrument
from tapewire.net import HttpClient
from tapewire.newsroom import queries as newsroom_queries
from tapewire.newsroom import stage as newsroom_stage
from tapewire.signals import stage as signals_stage
from tapewire.store import Store, open_store
from tapewire.technicals import queries as technicals_queries
from tapewire.technicals import stage as technicals_stage
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF

FRIDAY = date(2026, 1, 30)
SATURDAY = datetime(2026, 1, 31, tzinfo=UTC)  # Friday's bar is due
TUESDAY = datetime(2026, 2, 3, tzinfo=UTC)  # Monday's bar is due


def weekdays(n: int, last: date) -> list[date]:
    out: list[date] = []
    day = last
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day -= timedelta(days=1)
    return out[::-1]


PERIOD = 26  # sessions of one swing (not a divisor of the 20-day return window)


def wave(i: int) -> float:
    return 100.0 + 5.0 * math.sin(2 * math.pi * i / PERIOD)


def range_bars(n: int = 300) -> list[BarIn]:
    """A swing between about 95 and 105: swing lows near 95 again and again."""
    bars = []
    for i, day in enumerate(weekdays(n, FRIDAY)):
        bars.append(BarIn(day, wave(i), wave(i) + 0.6, wave(i) - 0.6, wave(i), 1000.0))
    return bars


def add(store: Store, symbol: str, bars: list[BarIn]) -> None:
    with store.write() as s:
        inst_id = save_instrument(s, InstrumentSpec(symbol, symbol, "Stocks"))
        save_bars(s, inst_id, ParsedBars(tuple(bars)), source="test")


def analyse(store: Store, settings: Settings, as_of: datetime) -> None:
    """The stages after market (no network: the bars are already stored)."""
    with HttpClient(settings.http) as http:
        ctx = RunContext(
            store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
        )
        for stage in (technicals_stage.run, signals_stage.run, newsroom_stage.run):
            stage(ctx)


def symbols_with_briefs(store: Store, as_of: datetime) -> dict[str, tuple[str, str | None]]:
    return {
        b.instruments[0]: (b.trigger, b.trigger_reason)
        for b in newsroom_queries.list_briefs(store, limit=50)
        if b.as_of == as_of and b.primary_tag != "market"
    }


def test_watchlist_daily_briefs_and_a_level_break_on_an_unwatched_instrument(
    store: Store, settings: Settings
) -> None:
    settings = settings.model_copy(
        update={"newsroom": settings.newsroom.model_copy(update={"watchlist": ["WATCHED"]})}
    )
    add(store, "WATCHED", range_bars())
    add(store, "QUIET", range_bars())
    add(store, "BREAKER", range_bars())
    analyse(store, settings, SATURDAY)
    assert symbols_with_briefs(store, SATURDAY) == {"WATCHED": ("daily", "daily brief")}

    breaker = next(i for i in store_instruments(store) if i[1] == "BREAKER")[0]
    snap = technicals_queries.latest(store, breaker, until=SATURDAY)
    assert snap is not None and snap.values["close"] is not None
    close = float(snap.values["close"])
    supports = [lv.price for lv in snap.levels if lv.kind == "support" and lv.price < close]
    assert supports, "the range should leave a support under the last close"
    floor = max(supports)
    monday = date(2026, 2, 2)
    nxt = wave(300)  # the swing goes on, as it always has
    quiet_bar = BarIn(monday, nxt, nxt + 0.6, nxt - 0.6, nxt, 1000.0)
    crash = floor - 1.0
    add(store, "WATCHED", [quiet_bar])
    add(store, "QUIET", [quiet_bar])
    add(store, "BREAKER", [BarIn(monday, close, close + 0.2, crash - 0.2, crash, 5000.0)])
    analyse(store, settings, TUESDAY)

    written = symbols_with_briefs(store, TUESDAY)
    assert set(written) == {"WATCHED", "BREAKER"}, written  # QUIET: unwatched, nothing happened
    assert written["WATCHED"][0] == "daily"
    assert written["BREAKER"][0] == "level_break"
    assert f"closed below support at {floor:,.2f}" in (written["BREAKER"][1] or "")
    doc = newsroom_queries.get_brief(store, "breaker-2026-02-03")
    assert doc is not None and doc.verification is not None and doc.verification["ok"]
    assert doc.facts["trigger"]["events"][0]["price"] == pytest.approx(floor)
    page = asyncio.run(fetch(settings, store, "/briefs/breaker-2026-02-03"))
    assert f"Why now: level break — closed below support at {floor:,.2f}" in page
    for testid in ("why-heat", "why-risk", "why-threat"):
        assert f'data-testid="{testid}"' in page
    assert "Why now" not in asyncio.run(fetch(settings, store, "/briefs/watched-2026-02-03"))


def test_a_map_from_weeks_before_is_not_the_previous_session(
    store: Store, settings: Settings
) -> None:
    """Days analysed out of order (a brief for an old date, then today's): the stored snapshot
    before today's bar is weeks old, and its levels must not make today a "level break"."""
    settings = settings.model_copy(
        update={"newsroom": settings.newsroom.model_copy(update={"watchlist": ["BREAKER"]})}
    )
    bars = range_bars()
    add(store, "BREAKER", bars[:-20])
    old_day = datetime.combine(bars[-21].bar_date + timedelta(days=1), datetime.min.time(), UTC)
    analyse(store, settings, old_day)  # a map from 20 sessions ago
    inst = next(i for i in store_instruments(store) if i[1] == "BREAKER")[0]
    old = technicals_queries.latest(store, inst, until=old_day)
    assert old is not None and old.levels
    lowest = min(lv.price for lv in old.levels if lv.kind == "support")
    crash = lowest - 5.0  # far under the old map's support: a break if that map counted
    add(
        store,
        "BREAKER",
        [*bars[-20:-1], BarIn(FRIDAY, crash, crash + 0.2, crash - 0.2, crash, 1e3)],
    )
    analyse(store, settings, SATURDAY)
    assert symbols_with_briefs(store, SATURDAY)["BREAKER"][0] == "daily"


async def fetch(settings: Settings, store: Store, path: str) -> str:
    transport = httpx.ASGITransport(app=create_app(settings, store=store))
    async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as client:
        response = await client.get(path)
        assert response.status_code == 200, path
        return response.text


def store_instruments(store: Store) -> list[tuple[int, str]]:
    from tapewire.market import queries as market_queries

    return [(i.id, i.symbol) for i in market_queries.instruments(store)]


def test_a_hot_story_gets_its_own_brief_once(settings: Settings) -> None:
    """The demo's busiest stories, with the threshold lowered so that they qualify."""
    hot = settings.model_copy(
        update={"newsroom": settings.newsroom.model_copy(update={"heat_threshold": 40.0})}
    )
    run_demo(hot, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(hot.database_url())
    try:
        briefs = newsroom_queries.list_briefs(store, limit=100)
        story_briefs = [b for b in briefs if b.trigger == "heat"]
        assert story_briefs, "no story crossed the lowered threshold"
        for b in story_briefs:
            assert "-story-" in b.slug and b.heat is not None and b.heat >= 40.0
            lead = b.facts["lead_story"]
            assert b.sources[0]["story_id"] == lead
            outlets = [s["outlet"] for s in b.sources if s["story_id"] == lead]
            assert len(outlets) >= 2 and len(set(outlets)) == len(outlets)
            assert b.verification is not None and b.verification["ok"]
        count = newsroom_queries.count_briefs(store)
    finally:
        store.close()
    run_demo(hot, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))  # the same stories again
    store = open_store(hot.database_url())
    try:
        assert newsroom_queries.count_briefs(store) == count
        for b in story_briefs:
            assert newsroom_queries.story_brief_exists(
                store, b.instruments[0], b.facts["lead_story"]
            )
        assert not newsroom_queries.story_brief_exists(
            store, "NOPE", story_briefs[0].facts["lead_story"]
        )
    finally:
        store.close()
