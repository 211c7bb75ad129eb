"""HTML pages: home (brief list) and one page per brief."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tapewire.newsroom import queries
from tapewire.store import Store
from tapewire.web.chart import render_chart
from tapewire.web.deps import get_store, get_templates

router = APIRouter()
StoreDep = Annotated[Store, Depends(get_store)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: StoreDep, templates: TemplatesDep) -> HTMLResponse:
    briefs = queries.list_briefs(store, limit=100)
    return templates.TemplateResponse(
        request, "home.html", {"briefs": briefs, "simulated": queries.any_simulated(store)}
    )


@router.get("/briefs/{slug}", response_class=HTMLResponse)
def brief_page(
    slug: str, request: Request, store: StoreDep, templates: TemplatesDep
) -> HTMLResponse:
    view = queries.get_brief(store, slug)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no brief {slug}")
    doc = queries.brief_document(view)
    return templates.TemplateResponse(
        request,
        "brief.html",
        {"b": doc, "chart": render_chart(view.chart), "simulated": queries.any_simulated(store)},
    )


@router.get("/healthz")
def healthz(store: StoreDep) -> dict[str, object]:
    return {"ok": True, "briefs": queries.count_briefs(store)}
