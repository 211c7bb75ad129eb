"""HTML pages: home (filters, search), brief, market, tag, instrument and sources pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tapewire.config import Settings
from tapewire.enrich import queries as enrich_queries
from tapewire.ingest import queries as ingest_queries
from tapewire.market import queries as market_queries
from tapewire.newsroom import queries
from tapewire.newsroom.queries import BriefFilter
from tapewire.scorecard import queries as scorecard_queries
from tapewire.signals import queries as signals_queries
from tapewire.store import Store
from tapewire.technicals import queries as technicals_queries
from tapewire.web.chart import (
    FULL_YEAR_SESSIONS,
    level_dicts,
    price_svg,
    pulse_svg,
    stored_chart,
)
from tapewire.web.deps import get_settings, get_store, get_templates, one_connection
from tapewire.web.desk import build_desk
from tapewire.web.routes.charts import recent_bars

router = APIRouter(include_in_schema=False)
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
CATEGORIES = ("Stocks", "Indices", "ETFs", "Crypto", "Forex", "Commodities", "Rates", "Macro")
PAGE_SIZE = 20
MARKET_ARCHIVE = 60  # earlier market briefs listed on /market
STATIC_CHART_DAYS = 200  # calendar days read for the instrument page's 120-session static chart


def _page(
    templates: Jinja2Templates, request: Request, name: str, store: Store, **context: Any
) -> HTMLResponse:
    context.setdefault("simulated", queries.any_simulated(store))
    return templates.TemplateResponse(request, name, context)


@router.get("/", response_class=HTMLResponse)
@one_connection
def home(
    request: Request,
    store: StoreDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    category: str | None = None,
    tag: str | None = None,
    direction: str | None = None,
    min_threat: Annotated[int | None, Query(ge=1, le=5)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    flt = BriefFilter(category or None, tag or None, direction or None, min_threat, None, q or None)
    try:
        briefs, next_cursor = queries.search_briefs(store, flt, limit=PAGE_SIZE, cursor=cursor)
    except ValueError:
        raise HTTPException(status_code=400, detail="invalid cursor") from None
    return _page(
        templates,
        request,
        "home.html",
        store,
        briefs=briefs,
        next_cursor=next_cursor,
        flt=flt,
        categories=CATEGORIES,
        tags=queries.tag_counts(store, limit=20),
        latest_id=queries.latest_brief_id(store),
        market=queries.market_teaser(store) if flt == BriefFilter() and cursor is None else None,
        desk=(
            build_desk(store, settings.newsroom.watchlist, now=datetime.now(UTC))
            if cursor is None
            else None
        ),
    )


@router.get("/market", response_class=HTMLResponse)
@one_connection
def market_page(request: Request, store: StoreDep, templates: TemplatesDep) -> HTMLResponse:
    """The latest daily market brief in full, and the archive of earlier ones."""
    briefs = queries.list_market_briefs(store, limit=MARKET_ARCHIVE + 1)
    return _page(
        templates,
        request,
        "market.html",
        store,
        b=queries.brief_document(briefs[0]) if briefs else None,
        archive=briefs[1:],
        feed="/feeds/tags/market.atom",
    )


@router.get("/briefs/{slug}", response_class=HTMLResponse)
@one_connection
def brief_page(
    slug: str, request: Request, store: StoreDep, templates: TemplatesDep
) -> HTMLResponse:
    view = queries.get_brief(store, slug)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no brief {slug}")
    return _page(
        templates,
        request,
        "brief.html",
        store,
        b=queries.brief_document(view),
        chart=stored_chart(queries.brief_chart(store, view.id)) or price_svg(view.chart),
        related=queries.related_briefs(store, view),
        outcome=scorecard_queries.brief_outcome(store, view.id),
    )


@router.get("/tags/{tag}", response_class=HTMLResponse)
@one_connection
def tag_page(
    tag: str,
    request: Request,
    store: StoreDep,
    templates: TemplatesDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    try:
        briefs, next_cursor = queries.search_briefs(
            store, BriefFilter(tag=tag), limit=PAGE_SIZE, cursor=cursor
        )
    except ValueError:
        raise HTTPException(status_code=400, detail="invalid cursor") from None
    if not briefs and cursor is None:
        raise HTTPException(status_code=404, detail=f"no briefs tagged {tag}")
    return _page(
        templates,
        request,
        "list.html",
        store,
        briefs=briefs,
        next_cursor=next_cursor,
        title=f"#{tag}",
        feed=f"/feeds/tags/{tag}.atom",
    )


@router.get("/instruments/{symbol}", response_class=HTMLResponse)
@one_connection
def instrument_page(
    symbol: str, request: Request, store: StoreDep, templates: TemplatesDep
) -> HTMLResponse:
    inst = market_queries.instrument(store, symbol)
    if inst is None:
        raise HTTPException(status_code=404, detail=f"no instrument {symbol}")
    now = datetime.now(UTC)
    briefs, _ = queries.search_briefs(store, BriefFilter(symbol=symbol), limit=10)
    history = signals_queries.pulse_history(store, inst.id, until=now, limit=120)
    tech = technicals_queries.latest(store, inst.id, until=now)
    bars = recent_bars(store, inst.id, now=now, days=STATIC_CHART_DAYS)[-120:]
    static = {  # as a brief's stored chart: 120 closes and the latest levels
        "dates": [b.bar_date.isoformat() for b in bars],
        "closes": [b.close for b in bars],
        "levels": level_dicts(tech.levels, FULL_YEAR_SESSIONS) if tech else [],
    }
    return _page(
        templates,
        request,
        "instrument.html",
        store,
        inst=inst,
        briefs=briefs,
        tech=tech,
        history=pulse_svg(history),
        history_count=len(history),
        chart=price_svg(static),
        feed=f"/feeds/instruments/{symbol}.atom",
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
@one_connection
def story_page(
    story_id: int, request: Request, store: StoreDep, templates: TemplatesDep
) -> HTMLResponse:
    """A story: its representative headline, every outlet and item, its themes, and the
    instruments its items name with how their close moved across the story's first day."""
    detail = enrich_queries.story_detail(store, story_id)
    if detail is None:
        raise HTTPException(status_code=404, detail=f"no story {story_id}")
    insts = market_queries.instruments_by_id(store, [i for i, _ in detail.instruments])
    moves = market_queries.move_around(store, list(insts), detail.story.first_seen_at.date())
    return _page(
        templates,
        request,
        "story.html",
        store,
        story=detail.story,
        items=detail.items,
        themes=detail.themes,
        named=[(insts[i], n, moves.get(i)) for i, n in detail.instruments if i in insts],
        cited=queries.briefs_citing(store, [item.url for item in detail.items], limit=10),
    )


@router.get("/sources", response_class=HTMLResponse)
@one_connection
def sources_page(request: Request, store: StoreDep, templates: TemplatesDep) -> HTMLResponse:
    return _page(
        templates,
        request,
        "sources.html",
        store,
        feeds=ingest_queries.feeds(store),
        providers=market_queries.provider_health(store),
    )


@router.get("/healthz")
@one_connection
def healthz(store: StoreDep) -> dict[str, object]:
    """Up, and the store answers: the newest brief's id (one index probe; a ``count(*)`` of the
    briefs here grew with the store, 0.8-1.3 ms at 10,000 briefs, #16)."""
    return {"ok": True, "latest_brief_id": queries.latest_brief_id(store)}
