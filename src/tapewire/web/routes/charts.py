"""Chart data for the interactive charts (``static/chart.js``): JSON, cached like the briefs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from tapewire.market import queries as market_queries
from tapewire.newsroom import queries
from tapewire.newsroom.queries import BriefFilter
from tapewire.store import Store
from tapewire.web.chart import SESSIONS_SHOWN, Published, chart_data
from tapewire.web.deps import get_store, json_body
from tapewire.web.routes.api import errors

router = APIRouter(tags=["api"])
StoreDep = Annotated[Store, Depends(get_store)]
# Calendar days of bars read: the sessions shown and the 200 before them the 200-day average
# needs (a year of sessions is about 365 days; 24x7 markets have more sessions per day).
BAR_DAYS = 365 * (SESSIONS_SHOWN + 200) // 252 + 30
MARKER_BRIEFS = 400  # earlier briefs on the instrument marked at most (about a year, daily)


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
        bars = market_queries.bars(store, inst.id, until=view.as_of, days=BAR_DAYS)
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
    )
    data["name"] = inst.name
    return json_body(request, data, max_age=300)
