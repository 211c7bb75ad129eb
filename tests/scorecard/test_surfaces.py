"""The scorecard's surfaces on real graded calls: /scorecard, /api/scorecard, the Atom feed, the
brief page's "How this call did" box, and the pipeline stage that fills them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
import pytest
from sqlalchemy import select

from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.scorecard import queries as scorecard_queries
from tapewire.scorecard.models import Outcome
from tapewire.store import Store, open_store
from tapewire.web.app import create_app
from tests.scorecard.support import load_universe, run_stages

AS_OF = datetime(2020, 2, 15, tzinfo=UTC)  # a Saturday: the calls are Friday's session's


@pytest.fixture
def graded(settings: Settings, make_ctx: Callable[..., RunContext]) -> Store:
    """Real bars; the pipeline as of a few days in February 2020 and again 40 days later."""
    store = open_store(settings.database_url())
    load_universe(store, date(2018, 6, 1), date(2020, 6, 30))
    for k in range(6):
        run_stages(make_ctx, store, AS_OF - timedelta(days=k))
    run_stages(make_ctx, store, AS_OF + timedelta(days=40), names=("scorecard",))
    return store


def test_the_stage_records_one_call_per_session_and_completes_them(graded: Store) -> None:
    with graded.read() as s:
        rows = s.scalars(select(Outcome).where(Outcome.kind == "signal")).all()
    # 5 instruments x 4 sessions (Feb 10 .. 14 as of Feb 10 .. 15: the weekend repeats Friday's)
    entries = sorted({str(r.inputs["entry_date"]) for r in rows})
    assert entries == [
        "2020-02-07",
        "2020-02-10",
        "2020-02-11",
        "2020-02-12",
        "2020-02-13",
        "2020-02-14",
    ]
    assert len(rows) == 5 * len(entries)
    assert all(r.complete and r.sessions_seen == 20 for r in rows)
    spy = next(
        r for r in rows if r.inputs["symbol"] == "SPY" and r.inputs["entry_date"] == "2020-02-14"
    )
    # SPY fell about 30% into March 2020: the measured 20-session return says so
    returns = spy.measured["returns"]
    assert isinstance(returns, dict) and returns["20"] < -20.0
    assert spy.measured["max_adverse_pct"] is not None
    live = scorecard_queries.latest_snapshot(graded, "live")
    assert live is not None and live.n_calls == len(rows)
    months = scorecard_queries.month_snapshots(graded)
    assert [m.month for m in months] == ["2020-02"]


@pytest.mark.anyio
async def test_scorecard_page_api_and_feed(graded: Store, settings: Settings) -> None:
    transport = httpx.ASGITransport(app=create_app(settings, store=graded))
    async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
        page = await c.get("/scorecard")
        api = await c.get("/api/scorecard")
        backtest = await c.get("/api/scorecard", params={"kind": "backtest"})
        feed = await c.get("/feeds/scorecard.atom")
        schema = await c.get("/api/openapi.json")
    assert page.status_code == 200
    assert 'data-testid="scorecard-verdict"' in page.text
    assert '<svg class="calibration"' in page.text and "data-decile=" in page.text
    assert 'data-testid="worst-calls"' in page.text
    # a reader sees words, not the card's keys (found reading a real backtest's page)
    for key in ("momentum_sign", "momentum return20", "high52/low52", ">sma50<", "{'", "_weights"):
        assert key not in page.text, key
    assert "support and resistance" in page.text or "round numbers" in page.text
    assert "None had a news component" in page.text  # the fixture's calls are bars only
    assert "backtests read bars only" not in page.text  # live calls: not called a backtest
    data = api.json()
    assert data["n_calls"] == 30 and set(data["hit"]) == {"1", "5", "20"}
    assert data["verdict"]  # a sentence, whatever the figures say
    assert backtest.status_code == 200 and backtest.json()["n_calls"] == 0
    parsed = feedparser.parse(feed.text)
    assert [e.title for e in parsed.entries] == ["Scorecard for 2020-02: 30 calls graded"]
    assert "/api/scorecard" in schema.json()["paths"]


@pytest.mark.anyio
async def test_scorecard_page_before_any_outcome_says_why(
    settings: Settings, tmp_path: Path
) -> None:
    store = open_store(settings.database_url())
    transport = httpx.ASGITransport(app=create_app(settings, store=store))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
            page = await c.get("/scorecard")
    finally:
        store.close()
    assert page.status_code == 200 and 'data-testid="scorecard-empty"' in page.text


def test_scorecard_page_in_chromium_fits_a_phone(graded: Store, settings: Settings) -> None:
    """Real browser: the calibration chart is drawn and nothing widens the page at 390 px."""
    from tests.support.servers import serve_app
    from tests.web.test_browser import ARGS, CHROMIUM, SHOTS

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve_app(create_app(settings, store=graded)) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for width in (1280, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(base + "/scorecard")
                assert page.get_by_test_id("scorecard-verdict").is_visible()
                chart = page.locator("svg.calibration")
                # never narrower than 480 px (a phone scrolls the chart): its labels stay legible
                assert chart.is_visible() and chart.bounding_box()["width"] >= 480
                assert page.locator("svg.calibration circle").count() >= 5
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"/scorecard is {overflow} px too wide at {width} px"
                page.screenshot(path=str(SHOTS / f"scorecard-{width}.png"), full_page=True)
        finally:
            browser.close()
