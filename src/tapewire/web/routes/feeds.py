"""Atom 1.0 feeds: all briefs, per tag, per instrument."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from tapewire.market import queries as market_queries
from tapewire.newsroom import queries
from tapewire.newsroom.queries import BriefFilter, BriefView
from tapewire.publish.atom import AtomEntry, render_atom
from tapewire.store import Store
from tapewire.web.deps import cached_body, get_store, site_url

router = APIRouter(tags=["feeds"])
StoreDep = Annotated[Store, Depends(get_store)]
ATOM = "application/atom+xml; charset=utf-8"


class AtomResponse(Response):
    media_type = "application/atom+xml"


ATOM_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An Atom 1.0 feed",
        "content": {"application/atom+xml": {"schema": {"type": "string"}}},
    },
    422: {"description": "Invalid parameters"},
}
NOT_FOUND_DOC: dict[int | str, dict[str, Any]] = {404: {"description": "No such instrument"}}
FEED_SIZE = 50


def _feed(request: Request, store: Store, flt: BriefFilter, *, title: str, path: str) -> Response:
    views, _ = queries.search_briefs(store, flt, limit=FEED_SIZE, with_sections=True)
    base = site_url(request)
    entries = [_entry(v, base) for v in views]
    updated = max((v.published_at for v in views), default=datetime(2000, 1, 1, tzinfo=UTC))
    body = render_atom(
        entries,
        feed_id=f"{base}{path}",
        title=title,
        self_url=f"{base}{path}",
        site_url=f"{base}/",
        updated=updated,
    )
    return cached_body(request, body, ATOM, max_age=60)


def _entry(view: BriefView, base: str) -> AtomEntry:
    sections = view.sections
    body = "\n\n".join([*sections.get("analysis", []), "Take: " + str(sections.get("take", ""))])
    return AtomEntry(
        slug=view.slug,
        title=view.headline,
        summary=view.dek,
        body=body,
        url=f"{base}/briefs/{view.slug}",
        published=view.published_at,
        updated=view.published_at,
        categories=view.tags,
    )


@router.get(
    "/feeds/briefs.atom",
    summary="Atom feed of all briefs",
    response_class=AtomResponse,
    responses=ATOM_DOC,
)
def all_briefs(request: Request, store: StoreDep) -> Response:
    return _feed(
        request, store, BriefFilter(), title="tapewire: all briefs", path="/feeds/briefs.atom"
    )


@router.get(
    "/feeds/tags/{tag}.atom",
    summary="Atom feed of one tag",
    response_class=AtomResponse,
    responses=ATOM_DOC,
)
def tag_feed(tag: str, request: Request, store: StoreDep) -> Response:
    return _feed(
        request,
        store,
        BriefFilter(tag=tag),
        title=f"tapewire: #{tag}",
        path=f"/feeds/tags/{tag}.atom",
    )


@router.get(
    "/feeds/instruments/{symbol}.atom",
    summary="Atom feed of one instrument",
    response_class=AtomResponse,
    responses={**ATOM_DOC, **NOT_FOUND_DOC},
)
def instrument_feed(symbol: str, request: Request, store: StoreDep) -> Response:
    if market_queries.instrument(store, symbol) is None:
        raise HTTPException(status_code=404, detail=f"no instrument {symbol}")
    return _feed(
        request,
        store,
        BriefFilter(symbol=symbol),
        title=f"tapewire: {symbol}",
        path=f"/feeds/instruments/{symbol}.atom",
    )
