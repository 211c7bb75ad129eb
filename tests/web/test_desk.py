"""The home page as a market desk and the story page (#15): every number shown is the stored one
(checked against an independent full read), stale data is labelled by its date, and the desk's
work does not grow with the length of the bar history. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import html
import itertools
import statistics
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, insert, select

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.demo.run import run_demo
from tapewire.enrich import queries as enrich_queries
from tapewire.market import queries as market_queries
from tapewire.market.models import Bar
from tapewire.signals import queries as signals_queries
from tapewire.store import Store, open_store
from tapewire.web.app import create_app
from tapewire.web.desk import CLOSES, STALE_DAYS, build_desk
from tests.conftest import DEMO_AS_OF

NOW = DEMO_AS_OF  # the demo's last completed bar is the day before


@pytest.fixture(params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, settings: Settings) -> Iterator[tuple[Settings, Store]]:
    s = settings
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        s = settings.model_copy(update={"db": settings.db.model_copy(update={"url": url})})
    run_demo(s, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(s.database_url())
    try:
        yield s, store
    finally:
        store.close()


def _get(settings: Settings, store: Store, *paths: str) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(settings, store=store))
        async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as c:
            return [await c.get(p) for p in paths]

    return asyncio.run(run())


def test_the_desk_shows_the_stored_numbers(demo: tuple[Settings, Store]) -> None:
    _, store = demo
    desk = build_desk(store, [], now=NOW)
    insts = {i.symbol: i for i in market_queries.instruments(store)}
    assert [q.symbol for q in desk.strip] == ["^MKT", "^SMC", "MKTX", "DCN-USD", "ACME"]
    for q in desk.strip:
        bars = market_queries.bars(store, insts[q.symbol].id, until=NOW)  # every bar, oldest first
        assert q.last == bars[-1].close and q.last_date == bars[-1].bar_date
        assert q.change_pct == pytest.approx((bars[-1].close / bars[-2].close - 1) * 100)
        assert len(q.spark.split()) == min(CLOSES, len(bars))
        assert q.spark_first == bars[-min(CLOSES, len(bars))].bar_date
        assert not q.stale
    for t in desk.tiles:
        latest = signals_queries.latest(store, insts[t.symbol].id, until=NOW)
        assert latest is not None and (t.pulse, t.heat) == (latest.pulse, latest.heat)
    # movers rank by the day's move in standard deviations of their own recent daily changes
    sigmas = [q.move_sigma for q in desk.movers if q.move_sigma is not None]
    assert len(sigmas) == len(desk.movers) == 5
    assert sigmas == sorted(sigmas, reverse=True)
    for q in desk.movers:
        closes = [b.close for b in market_queries.bars(store, insts[q.symbol].id, until=NOW)]
        changes = [(b / a - 1) * 100 for a, b in itertools.pairwise(closes)]
        earlier = changes[-(CLOSES - 1) : -1]  # the desk reads CLOSES closes
        assert q.move_sigma == pytest.approx(abs(changes[-1]) / statistics.stdev(earlier))

    every = enrich_queries.recent_stories(
        store, until=datetime(3000, 1, 1, tzinfo=UTC), limit=10**6
    )
    newest = max(s.last_seen_at for s in every)
    expected = sorted(
        (s for s in every if s.last_seen_at >= newest - timedelta(hours=72)),
        key=lambda s: (-s.outlet_count, -s.item_count, -s.id),
    )[:6]
    assert [s.id for s in desk.stories] == [s.id for s in expected] and desk.stories


def test_the_home_page_renders_the_desk_and_labels_stale_closes(
    demo: tuple[Settings, Store],
) -> None:
    settings, store = demo
    (home,) = _get(settings, store, "/")
    assert home.status_code == 200
    page = home.text
    fresh = build_desk(store, [], now=datetime.now(UTC))
    for q in fresh.strip:
        assert f'data-symbol="{q.symbol}"' in page
        assert f"{q.change_pct:+.2f}%" in page
    # the demo's closes end on 2026-11-19: today they are stale, and the page says since when
    last = fresh.strip[0].last_date
    assert last is not None and (datetime.now(UTC).date() - last).days > STALE_DAYS
    assert f"last close {last}" in page
    assert page.count('class="tile"') == len(fresh.tiles) == 5
    assert 'data-testid="top-stories"' in page and f'href="/stories/{fresh.stories[0].id}"' in page
    assert page.count('<li class="row"') == 6  # five instruments' briefs and the market brief

    watch = settings.model_copy(
        update={"newsroom": settings.newsroom.model_copy(update={"watchlist": ["ACME", "^MKT"]})}
    )
    (home,) = _get(watch, store, "/")
    strip = home.text.split('data-testid="strip"', 1)[1].split("</section>", 1)[0]
    assert strip.count('class="quote"') == 2 and strip.index("ACME") < strip.index("^MKT")


def test_the_story_page_lists_every_item_outlet_theme_and_instrument(
    demo: tuple[Settings, Store],
) -> None:
    settings, store = demo
    story = build_desk(store, [], now=NOW).stories[0]
    detail = enrich_queries.story_detail(store, story.id)
    assert detail is not None and len(detail.items) == story.item_count
    page, missing = _get(settings, store, f"/stories/{story.id}", "/stories/999999")
    assert page.status_code == 200 and missing.status_code == 404
    text = page.text
    assert html.escape(story.title) in text
    for item in detail.items:
        assert html.escape(item.title) in text and item.outlet in text
    for outlet in story.outlets:
        assert html.escape(outlet) in text
    for theme, n in detail.themes:
        assert f"{theme} · {n}" in text
    insts = market_queries.instruments_by_id(store, [i for i, _ in detail.instruments])
    assert detail.instruments and insts
    moves = market_queries.move_around(store, list(insts), story.first_seen_at.date())
    for inst_id, mv in moves.items():
        bars = market_queries.bars(store, inst_id, until=NOW + timedelta(days=30))
        before = [b for b in bars if b.bar_date < story.first_seen_at.date()][-1]
        after = next(b for b in bars if b.bar_date >= story.first_seen_at.date())
        assert (mv.before, mv.after) == (before.close, after.close)
        assert f"{mv.change_pct:+.2f}%" in text
    assert (
        f'href="/stories/{story.id}"' in _get(settings, store, "/")[0].text
    )  # linked from the home page


def test_the_desk_does_not_read_the_whole_bar_history(settings: Settings) -> None:
    """Ten times the bar history costs the desk the same SQLite work (VM steps)."""
    run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(settings.database_url())
    steps = {"n": 0, "on": False}

    def tick() -> int:
        steps["n"] += 10 if steps["on"] else 0
        return 0

    @event.listens_for(store.engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_progress_handler(tick, 10)

    store.engine.dispose()

    def cost() -> int:
        build_desk(store, [], now=NOW)  # warm: statement caches
        steps["n"], steps["on"] = 0, True
        build_desk(store, [], now=NOW)
        steps["on"] = False
        return steps["n"]

    try:
        before = cost()
        with store.read() as s:
            firsts = s.execute(select(Bar.instrument_id, Bar.bar_date, Bar.close)).all()
        first: dict[int, tuple[date, float]] = {}
        for inst_id, day, close in firsts:
            if inst_id not in first or day < first[inst_id][0]:
                first[inst_id] = (day, close)
        n_old = 9 * len(firsts) // len(first)
        with store.write() as s:
            s.execute(
                insert(Bar),
                [
                    {
                        "instrument_id": inst_id,
                        "interval": "1d",
                        "bar_date": day - timedelta(days=k),
                        "open": close,
                        "high": close,
                        "low": close,
                        "close": close,
                        "volume": 0.0,
                    }
                    for inst_id, (day, close) in first.items()
                    for k in range(1, n_old + 1)
                ],
            )
        after = cost()
    finally:
        store.close()
    print(f"desk VM steps: {before} with the demo's bars, {after} with 10x the history")
    assert after <= before * 1.1
