"""Chart data for the interactive charts (``static/chart.js``): JSON, cached like the briefs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from tapewire.market import queries as market_queries
from tapewire.newsroom import queries
from tapewire.newsroom.queries import BriefFilter
from tapewire.store import Store
from tapewire.technicals import queries as technicals_queries
from tapewire.web.chart import (
    FULL_YEAR_SESSIONS,
    SESSIONS_SHOWN,
    Published,
    chart_data,
    level_dicts,
)
from tapewire.web.deps import get_store, json_body
from tapewire.web.routes.api import errors

router = APIRouter(tags=["api"])
StoreDep = Annotated[Store, Depends(get_store)]
# Calendar days of bars read: the sessions shown and the 200 before them the 200-day average
# needs (a year of sessions is about 365 days; 24x7 markets have more sessions per day).
BAR_DAYS = 365 * (SESSIONS_SHOWN + 200) // 252 + 30
MARKER_BRIEFS = 400  # earlier briefs on the instrument marked at most (about a year, daily)


def recent_bars(
    store: Store, instrument_id: int, *, now: datetime, days: int
) -> list[market_queries.BarView]:
    """The ``days`` calendar days of completed bars up to the last one stored (not up to
    ``now``: a series whose data stopped months ago still charts its last year)."""
    last = market_queries.last_bar_date(store, instrument_id, completed_only=True)
    if last is None:
        return []
    until = min(now, datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC))
    bars = market_queries.bars(store, instrument_id, until=until, days=days)
    return market_queries.reviewed_bars(
        store, instrument_id, bars
    )  # a confirmed split adjusted, ticks out


@router.get(
    "/briefs/{slug}/chart",
    summary="A brief's chart: daily bars known at its as_of, averages, levels, brief markers",
    responses=errors(404),
)
def brief_chart(slug: str, request: Request, store: StoreDep) -> Response:
    """Bars up to the brief's ``as_of`` only (what the writer saw), the 50- and 200-day
    averages where the bars hold them, the brief's levels labelled in words, and a marker on
    the bar each brief on the instrument up to this one was written from."""
    with store.connect():
        view = queries.get_brief(store, slug)
        if view is None:
            raise HTTPException(status_code=404, detail=f"no brief {slug}")
        chart = view.chart or {}
        symbol = (view.facts.get("chart") or {}).get("symbol") or (
            view.instruments[0] if view.instruments else None
        )
        inst = market_queries.instrument(store, symbol) if symbol else None
        if inst is None:
            raise HTTPException(status_code=404, detail=f"no chart for brief {slug}")
        bars = market_queries.reviewed_bars(  # in the units of the brief's levels, as the writer saw them
            store, inst.id, market_queries.bars(store, inst.id, until=view.as_of, days=BAR_DAYS)
        )
        earlier, _ = queries.search_briefs(
            store,
            BriefFilter(symbol=inst.symbol),
            limit=MARKER_BRIEFS,
            cursor=queries.encode_cursor(view),
        )
    published = [
        Published(b.slug, market_queries.last_usable_date(b.as_of), b.direction, b.pulse)
        for b in (view, *earlier)
    ]
    data = chart_data(
        symbol=inst.symbol,
        as_of=view.as_of,
        bars=bars,
        levels=chart.get("levels", []),
        price_facts=view.facts.get("price") or {},
        briefs=published,
        current=view.slug,
        asset_class=inst.asset_class,
        name=inst.name,
    )
    data["name"] = inst.name
    return json_body(request, data, max_age=300)


@router.get(
    "/instruments/{symbol}/chart",
    summary="An instrument's chart: daily bars to date, averages, latest levels, brief markers",
    responses=errors(404),
)
def instrument_chart(symbol: str, request: Request, store: StoreDep) -> Response:
    """The same document as a brief's chart, as of now: the latest technicals' levels and a
    marker for each brief on the instrument."""
    now = datetime.now(UTC)
    with store.connect():
        inst = market_queries.instrument(store, symbol)
        if inst is None:
            raise HTTPException(status_code=404, detail=f"no instrument {symbol}")
        bars = recent_bars(store, inst.id, now=now, days=BAR_DAYS)
        tech = technicals_queries.latest(store, inst.id, until=now)
        briefs, _ = queries.search_briefs(
            store, BriefFilter(symbol=inst.symbol), limit=MARKER_BRIEFS
        )
    sessions = len([b for b in bars if tech and b.bar_date <= tech.bar_date])
    data = chart_data(
        symbol=inst.symbol,
        as_of=now,
        bars=bars,
        levels=[  # the averages are drawn as lines at every bar's value: not twice
            lv
            for lv in (level_dicts(tech.levels, min(sessions, FULL_YEAR_SESSIONS)) if tech else [])
            if lv["kind"] not in ("sma50", "sma200")
        ],
        price_facts=dict(tech.values) if tech else {},
        briefs=[
            Published(b.slug, market_queries.last_usable_date(b.as_of), b.direction, b.pulse)
            for b in briefs
        ],
        current="",
        asset_class=inst.asset_class,
        name=inst.name,
    )
    data["name"] = inst.name
    data["levels_bar"] = tech.bar_date.isoformat() if tech else None  # the levels' last bar
    return json_body(request, data, max_age=60)
