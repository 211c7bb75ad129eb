"""JSON API: briefs (filtered, cursor-paginated), instruments, signals, levels, stories, sources.

Every answer carries an ETag and Cache-Control; errors are ``{"error": {"status", "message"}}``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel

from tapewire.enrich import queries as enrich_queries
from tapewire.ingest import queries as ingest_queries
from tapewire.market import queries as market_queries
from tapewire.newsroom import queries
from tapewire.newsroom.queries import BriefFilter, BriefView
from tapewire.signals import queries as signals_queries
from tapewire.store import Store
from tapewire.technicals import queries as technicals_queries
from tapewire.web.deps import get_store, json_body, one_connection


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorOut(BaseModel):
    """Every API error: one clear message."""

    error: ErrorDetail


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut} for code in (*codes, 422)}


router = APIRouter(tags=["api"])
StoreDep = Annotated[Store, Depends(get_store)]
SUMMARY_KEYS = (
    "slug",
    "as_of",
    "published_at",
    "category",
    "primary_tag",
    "tags",
    "instruments",
    "direction",
    "headline",
    "dek",
    "read_minutes",
    "writer",
    "simulated",
)


def brief_summary(view: BriefView) -> dict[str, Any]:
    """``SUMMARY_KEYS`` of ``brief_document`` (same values, same order) and the scores, built
    directly: the whole document per row was a fifth of ``/api/briefs``' CPU (#16).
    ``tests/web/test_page_cost.py`` holds it equal to the document's fields."""
    return {
        **queries.brief_head(view),
        "headline": view.headline,
        "dek": view.dek,
        "read_minutes": view.read_minutes,
        "writer": view.writer,
        "simulated": view.simulated,
        "pulse": view.pulse,
        "heat": view.heat,
        "heat_label": view.heat_label,
        "risk": view.risk,
        "threat": view.threat,
        "url": f"/briefs/{view.slug}",
    }


@router.get(
    "/briefs", summary="Briefs, newest first, filtered and cursor-paginated", responses=errors(400)
)
@one_connection
def list_briefs(
    request: Request,
    store: StoreDep,
    category: Annotated[str | None, Query(description="Asset class, e.g. Indices")] = None,
    tag: Annotated[str | None, Query(description="A tag, e.g. small-caps")] = None,
    direction: Annotated[Literal["Bullish", "Neutral", "Bearish"] | None, Query()] = None,
    min_threat: Annotated[int | None, Query(ge=1, le=5, description="Threat at least")] = None,
    symbol: Annotated[str | None, Query(description="Only briefs about this symbol")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in headline, dek or tags")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Response:
    flt = BriefFilter(category, tag, direction, min_threat, symbol, q)
    try:
        views, next_cursor = queries.search_briefs(store, flt, limit=limit, cursor=cursor)
    except ValueError:
        raise HTTPException(
            status_code=400, detail="invalid cursor: pass next_cursor unchanged"
        ) from None
    return json_body(
        request, {"briefs": [brief_summary(v) for v in views], "next_cursor": next_cursor}
    )


@router.get(
    "/briefs/{slug}",
    summary="One brief: the whole document with facts and verification",
    responses=errors(404),
)
@one_connection
def get_brief(slug: str, request: Request, store: StoreDep) -> Response:
    view = queries.get_brief(store, slug)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no brief {slug}")
    return json_body(request, queries.brief_document(view))


def _instrument(store: Store, symbol: str) -> market_queries.InstrumentView:
    inst = market_queries.instrument(store, symbol)
    if inst is None:
        raise HTTPException(status_code=404, detail=f"no instrument {symbol}")
    return inst


@router.get("/instruments", summary="Instruments with their latest signal", responses=errors())
def list_instruments(request: Request, store: StoreDep) -> Response:
    now = datetime.now(UTC)
    rows = []
    for inst in market_queries.instruments(store):
        sig = signals_queries.latest(store, inst.id, until=now)
        rows.append({**asdict(inst), "signal": _signal(sig)})
    return json_body(request, {"instruments": rows})


def _signal(sig: signals_queries.SignalView | None) -> dict[str, Any] | None:
    return None if sig is None else {**asdict(sig), "as_of": sig.as_of.isoformat()}


@router.get(
    "/instruments/{symbol}/signals", summary="Signal history with components", responses=errors(404)
)
def instrument_signals(
    symbol: str, request: Request, store: StoreDep, limit: Annotated[int, Query(ge=1, le=500)] = 60
) -> Response:
    inst = _instrument(store, symbol)
    history = signals_queries.history(store, inst.id, until=datetime.now(UTC), limit=limit)
    return json_body(request, {"symbol": symbol, "signals": [_signal(s) for s in history]})


@router.get(
    "/instruments/{symbol}/levels",
    summary="The latest key levels with their evidence",
    responses=errors(404),
)
def instrument_levels(symbol: str, request: Request, store: StoreDep) -> Response:
    inst = _instrument(store, symbol)
    tech = technicals_queries.latest(store, inst.id, until=datetime.now(UTC))
    if tech is None:
        raise HTTPException(status_code=404, detail=f"no levels computed for {symbol} yet")
    return json_body(
        request,
        {
            "symbol": symbol,
            "as_of": tech.as_of.isoformat(),
            "bar_date": tech.bar_date.isoformat(),
            "levels": [asdict(lv) for lv in tech.levels],
        },
    )


@router.get("/stories", summary="Stories: the same event across outlets", responses=errors())
def list_stories(
    request: Request, store: StoreDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> Response:
    stories = enrich_queries.recent_stories(store, until=datetime.now(UTC), limit=limit)
    return json_body(request, {"stories": [asdict(s) for s in stories]})


@router.get("/sources", summary="Feeds and price providers with their health", responses=errors())
def list_sources(request: Request, store: StoreDep) -> Response:
    return json_body(
        request,
        {
            "feeds": [asdict(f) for f in ingest_queries.feeds(store)],
            "providers": [asdict(p) for p in market_queries.provider_health(store)],
        },
    )
