"""JSON API: briefs (list and one). Issue #6 adds filters, cursors, ETags and more resources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from tapewire.newsroom import queries
from tapewire.store import Store
from tapewire.web.deps import get_store

router = APIRouter()
StoreDep = Annotated[Store, Depends(get_store)]


@router.get("/briefs")
def list_briefs(
    store: StoreDep,
    symbol: Annotated[str | None, Query(description="Only briefs about this symbol")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    views = queries.list_briefs(store, limit=limit, symbol=symbol)
    return {"briefs": [_summary(queries.brief_document(v)) for v in views]}


@router.get("/briefs/{slug}")
def get_brief(slug: str, store: StoreDep) -> dict[str, Any]:
    view = queries.get_brief(store, slug)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no brief {slug}")
    return queries.brief_document(view)


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    keys = (
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
    out = {k: doc[k] for k in keys}
    out["pulse"], out["heat"], out["threat"] = (
        doc["pulse"]["score"],
        doc["heat"],
        doc["threat"]["level"],
    )
    return out
