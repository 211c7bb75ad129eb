"""The newsroom's read API: briefs as frozen views and as the JSON document of DESIGN's table."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
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
    trigger: str = "daily"
    trigger_reason: str | None = None


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


def list_market_briefs(
    store: Store, *, limit: int = 50, until: datetime | None = None
) -> list[BriefView]:
    """The daily market briefs (``newsroom.market_brief``, tag ``market``), newest first."""
    query = (
        select(Brief)
        .where(Brief.primary_tag == "market")
        .order_by(Brief.as_of.desc(), Brief.published_at.desc(), Brief.id.desc())
        .limit(limit)
    )
    if until is not None:
        query = query.where(Brief.as_of <= until)
    with store.read() as s:
        return [_view(s, row) for row in s.scalars(query).all()]


def get_brief(store: Store, slug: str) -> BriefView | None:
    with store.read() as s:
        row = s.scalars(select(Brief).where(Brief.slug == slug)).first()
        return _view(s, row) if row else None


def story_brief_exists(store: Store, symbol: str, story_id: int) -> bool:
    """Whether a hot-story brief on ``story_id`` was written for ``symbol`` (once per story)."""
    with store.read() as s:
        rows = s.execute(
            select(Brief.instruments).where(
                Brief.trigger == "heat", Brief.slug.like(f"%-story-{story_id}")
            )
        ).all()
    return any(symbol in instruments for (instruments,) in rows)


def count_briefs(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count(Brief.id))) or 0)


def any_simulated(store: Store) -> bool:
    with store.read() as s:
        return s.scalar(select(Brief.id).where(Brief.simulated).limit(1)) is not None


def _view(s: Any, row: Brief, *, full: bool = True) -> BriefView:
    """A frozen view; ``full=False`` skips the fact sheet and verification (list pages)."""
    facts = s.get(FactSheet, row.fact_sheet_id) if full else None
    ver = (
        s.scalars(select(Verification).where(Verification.brief_id == row.id)).first()
        if full
        else None
    )
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
        trigger=row.trigger,
        trigger_reason=row.trigger_reason,
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
        "notes": list(ver.notes or []),
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
        "trigger": {"kind": view.trigger, "reason": view.trigger_reason},
        "simulated": view.simulated,
        "facts": view.facts,
        "verification": view.verification,
        "outcome": view.outcome,
    }


@dataclass(frozen=True, slots=True)
class BriefFilter:
    """Filters of the home page and ``/api/briefs``; None means "any"."""

    category: str | None = None
    tag: str | None = None
    direction: str | None = None
    min_threat: int | None = None
    symbol: str | None = None
    q: str | None = None

    def matches(self, row: Brief) -> bool:
        checks = (
            self.category is None or row.category.lower() == self.category.lower(),
            self.tag is None or self.tag in row.tags,
            self.direction is None or row.direction.lower() == self.direction.lower(),
            self.min_threat is None or (row.threat or 0) >= self.min_threat,
            self.symbol is None or self.symbol in row.instruments,
            not self.q or _matches_text(row, self.q),
        )
        return all(checks)


def _matches_text(row: Brief, q: str) -> bool:
    haystack = " ".join(
        [row.headline, row.dek, " ".join(row.tags), " ".join(row.instruments)]
    ).lower()
    return all(word in haystack for word in q.lower().split())


MAX_SCAN = 2000  # brief rows one search reads at most (a filter matching nothing stops here)


def encode_cursor(view: BriefView) -> str:
    return _cursor_of(view.as_of, view.id)


def _cursor_of(as_of: datetime, brief_id: int) -> str:
    raw = f"{as_of.isoformat()}|{brief_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSOR_YEARS = (1900, 2999)  # an as_of outside these years was not handed out by this API
MAX_ID = 2**63 - 1  # the largest id a BIGINT column holds


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Raises ValueError on a cursor this API did not hand out (also one that decodes but is out
    of range: a naive time, a year outside ``CURSOR_YEARS``, an id outside 1..2^63-1)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        as_of_text, id_text = raw.split("|")
        as_of, brief_id = datetime.fromisoformat(as_of_text), int(id_text)
        utc = as_of.astimezone(UTC) if as_of.tzinfo is not None else None
    except (ValueError, OverflowError):
        raise ValueError("invalid cursor") from None
    if utc is None or not CURSOR_YEARS[0] <= utc.year <= CURSOR_YEARS[1]:
        raise ValueError("invalid cursor: not a time this API hands out")
    if not 1 <= brief_id <= MAX_ID:
        raise ValueError("invalid cursor: id out of range")
    return utc, brief_id


def search_briefs(
    store: Store, flt: BriefFilter, *, limit: int = 20, cursor: str | None = None
) -> tuple[list[BriefView], str | None]:
    """A page of briefs matching ``flt``, newest first, and the cursor of the next page.

    Raises:
        ValueError: an invalid cursor.
    """
    query = select(Brief).order_by(Brief.as_of.desc(), Brief.id.desc())
    if cursor:
        as_of, brief_id = _decode_cursor(cursor)
        query = query.where(
            (Brief.as_of < as_of) | ((Brief.as_of == as_of) & (Brief.id < brief_id))
        )
    with store.read() as s:
        rows: list[Brief] = []
        scanned: Brief | None = None
        for n, row in enumerate(s.scalars(query.limit(MAX_SCAN + 1)).yield_per(200)):
            if n == MAX_SCAN:  # bounded work per request: the next page resumes after `scanned`
                break
            scanned = row
            if flt.matches(row):
                rows.append(row)
                if len(rows) > limit:
                    break
        else:
            scanned = None  # the table ended: no next page
        views = [_view(s, row, full=False) for row in rows[:limit]]
        if len(rows) > limit and views:
            next_cursor: str | None = encode_cursor(views[-1])
        elif scanned is not None and len(rows) <= limit:
            next_cursor = _cursor_of(scanned.as_of, scanned.id)
        else:
            next_cursor = None
    return views, next_cursor


def related_briefs(store: Store, view: BriefView, *, limit: int = 4) -> list[BriefView]:
    """Other briefs sharing instruments (3 points), cited sources (2) or tags (1), best first;
    the most recent others fill the list when fewer are related."""
    urls = {str(src.get("url")) for src in view.sources}
    scored: list[tuple[int, BriefView]] = []
    with store.read() as s:
        rows = s.scalars(
            select(Brief).where(Brief.id != view.id).order_by(Brief.as_of.desc()).limit(300)
        )
        for row in rows:
            score = 3 * len(set(row.instruments) & set(view.instruments))
            score += 2 * len({str(src.get("url")) for src in row.sources} & urls)
            score += len(set(row.tags) & set(view.tags) - {"bullish", "bearish", "neutral"})
            if not (set(row.instruments) == set(view.instruments) and row.as_of == view.as_of):
                scored.append((score, _view(s, row, full=False)))  # score 0: recent, fills the list
    scored.sort(key=lambda pair: (-pair[0], -pair[1].as_of.timestamp(), -pair[1].id))
    return [v for _, v in scored[:limit]]


def tag_counts(store: Store) -> list[tuple[str, int]]:
    """Every tag in use with its number of briefs, most used first."""
    counts: dict[str, int] = {}
    with store.read() as s:
        for tags in s.scalars(select(Brief.tags)):
            for tag in tags:
                counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def latest_brief_id(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.max(Brief.id))) or 0)


def briefs_after(store: Store, brief_id: int, *, limit: int = 20) -> list[BriefView]:
    """Briefs stored after ``brief_id`` (the live stream), oldest first."""
    with store.read() as s:
        rows = s.scalars(select(Brief).where(Brief.id > brief_id).order_by(Brief.id).limit(limit))
        return [_view(s, row, full=False) for row in rows]


def brief_rewritten(store: Store, slug: str) -> bool:
    """Was the brief rewritten by a coherence rule before it was published (its notes say so)?"""
    with store.read() as s:
        notes = s.scalar(
            select(Verification.notes)
            .join(Brief, Brief.id == Verification.brief_id)
            .where(Brief.slug == slug)
        )
    return any(str(n).startswith("coherence rewrite:") for n in notes or [])
