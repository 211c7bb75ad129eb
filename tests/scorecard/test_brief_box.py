"""A brief is a call: once its 20 sessions are in, its page says how it did."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.demo.run import run_demo
from tapewire.market import queries as market_queries
from tapewire.newsroom import queries as newsroom_queries
from tapewire.scorecard import queries as scorecard_queries
from tapewire.scorecard.models import Outcome
from tapewire.store import open_store
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF


@pytest.mark.anyio
async def test_brief_page_shows_how_the_call_did_once_its_horizon_passed(
    settings: Settings,
) -> None:
    run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(settings.database_url())
    try:
        first = newsroom_queries.list_briefs(store, limit=200, until=DEMO_AS_OF)
        brief = next(b for b in first if b.instruments)
        assert scorecard_queries.brief_outcome(store, brief.id) is None  # no bars after it yet
        transport = httpx.ASGITransport(app=create_app(settings, store=store))
        async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as c:
            before = await c.get(f"/briefs/{brief.slug}")
        assert before.status_code == 200 and 'data-testid="call-outcome"' not in before.text
        later = DEMO_AS_OF + timedelta(days=35)  # the simulated market moves on 35 days
        run_demo(settings, as_of=later, clock=FixedClock(later))
        outcome = scorecard_queries.brief_outcome(store, brief.id)
        assert outcome is not None and outcome["direction"] == brief.direction
        with store.read() as s:
            row = s.scalars(select(Outcome).where(Outcome.brief_id == brief.id)).one()
        assert row.complete and row.filled_through is not None
        assert row.filled_through > DEMO_AS_OF.date()  # measured only from bars after as_of
        async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as c:
            after = await c.get(f"/briefs/{brief.slug}")
        assert 'data-testid="call-outcome"' in after.text and "How this call did" in after.text
        r20 = outcome["measured"]["returns"]["20"]
        assert f"{r20:+.2f}%" in after.text
        box = after.text.split('data-testid="call-outcome"', 1)[1].split("</section>", 1)[0]
        for raw in ("high52", "low52", "sma50", "sma200", ">round ", "vs benchmark"):
            assert raw not in box, raw  # levels in words; the benchmark by name
        inst = market_queries.instrument(store, brief.instruments[0])
        assert inst is not None
        if inst.benchmark_symbol and inst.benchmark_symbol != inst.symbol:
            assert outcome["benchmark"] == inst.benchmark_symbol
            assert f"against {inst.benchmark_symbol}" in box
        else:  # excess would equal the raw return: no such column
            assert outcome["benchmark"] is None and "against" not in box
        if outcome["measured"]["levels"]:
            assert "over the next 20 sessions" in box and ("held" in box or "broke" in box)
    finally:
        store.close()
