"""The newsroom's read API: briefs as frozen views and as the JSON document of DESIGN's table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from tapewire.newsroom.models import Brief, FactSheet, Verification
from tapewire.store import Store


@dataclass(frozen=True, slots=True)
class BriefView:
    id: int
    slug: str
    as_of: datetime
    published_at: datetime
    category: str
    primary_tag: str
    tags: tuple[str, ...]
    instruments: tuple[str, ...]
    direction: str
    pulse: float
    heat: float | None
    heat_label: str | None
    risk: str | None
    threat: int | None
    headline: str
    dek: str
    sections: dict[str, Any]
    sources: tuple[dict[str, Any], ...]
    chart: dict[str, Any] | None
    read_minutes: int
    writer: str
    simulated: bool
    facts: dict[str, Any]
    verification: dict[str, Any] | None
    outcome: dict[str, Any] | None


def list_briefs(
    store: Store, *, limit: int = 50, symbol: str | None = None, until: datetime | None = None
) -> list[BriefView]:
    """Newest first (by as_of, then publish time)."""
    query = select(Brief).order_by(Brief.as_of.desc(), Brief.published_at.desc(), Brief.id.desc())
    if until is not None:
        query = query.where(Brief.as_of <= until)
    with store.read() as s:
        rows = [r for r in s.scalars(query).all() if symbol is None or symbol in r.instruments]
        return [_view(s, row) for row in rows[:limit]]


def get_brief(store: Store, slug: str) -> BriefView | None:
    with store.read() as s:
        row = s.scalars(select(Brief).where(Brief.slug == slug)).first()
        return _view(s, row) if row else None


def count_briefs(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count(Brief.id))) or 0)


def any_simulated(store: Store) -> bool:
    with store.read() as s:
        return s.scalar(select(Brief.id).where(Brief.simulated).limit(1)) is not None


def _view(s: Any, row: Brief) -> BriefView:
    facts = s.get(FactSheet, row.fact_sheet_id)
    ver = s.scalars(select(Verification).where(Verification.brief_id == row.id)).first()
    return BriefView(
        id=row.id,
        slug=row.slug,
        as_of=row.as_of,
        published_at=row.published_at,
        category=row.category,
        primary_tag=row.primary_tag,
        tags=tuple(row.tags),
        instruments=tuple(row.instruments),
        direction=row.direction,
        pulse=row.pulse,
        heat=row.heat,
        heat_label=row.heat_label,
        risk=row.risk,
        threat=row.threat,
        headline=row.headline,
        dek=row.dek,
        sections=dict(row.sections),
        sources=tuple(row.sources),
        chart=row.chart,
        read_minutes=row.read_minutes,
        writer=row.writer,
        simulated=row.simulated,
        facts=dict(facts.data) if facts else {},
        verification=_verification(ver),
        outcome=row.outcome,
    )


def _verification(ver: Verification | None) -> dict[str, Any] | None:
    if ver is None:
        return None
    return {
        "ok": ver.ok,
        "checked": ver.checked,
        "failed": ver.failed,
        "rounding": ver.rounding,
        "claims": list(ver.claims),
        "checked_at": ver.checked_at.isoformat(),
    }


def brief_document(view: BriefView) -> dict[str, Any]:
    """The brief as one JSON document with every field of DESIGN's brief table."""
    comps = view.facts.get("signals", {}).get("components", {})
    return {
        "id": view.id,
        "slug": view.slug,
        "as_of": view.as_of.isoformat(),
        "published_at": view.published_at.isoformat(),
        "category": view.category,
        "primary_tag": view.primary_tag,
        "tags": list(view.tags),
        "instruments": list(view.instruments),
        "direction": view.direction,
        "pulse": {"score": view.pulse, "components": comps.get("pulse")},
        "heat": {"score": view.heat, "label": view.heat_label, "components": comps.get("heat")},
        "risk": {"label": view.risk, "components": comps.get("risk")},
        "threat": {"level": view.threat, "reasons": (comps.get("threat") or {}).get("reasons")},
        "headline": view.headline,
        "dek": view.dek,
        "sections": view.sections,
        "sources": list(view.sources),
        "chart": view.chart,
        "read_minutes": view.read_minutes,
        "writer": view.writer,
        "simulated": view.simulated,
        "facts": view.facts,
        "verification": view.verification,
        "outcome": view.outcome,
    }
