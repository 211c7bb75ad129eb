"""The newsroom's read API: briefs as frozen views and as the JSON document of DESIGN's table."""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, bindparam, func, select, text

from tapewire.newsroom.assets import (  # re-exported: the one bp rule, for the web
    bp_change as bp_change,
)
from tapewire.newsroom.assets import in_basis_points as in_basis_points
from tapewire.newsroom.brief_index import (
    BriefChart,
    BriefInstrument,
    BriefSource,
    BriefTag,
    TagCount,
    url_key,
)
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
    if symbol is not None:
        query = query.join(BriefInstrument, BriefInstrument.brief_id == Brief.id).where(
            BriefInstrument.symbol == symbol
        )
    if until is not None:
        query = query.where(Brief.as_of <= until)
    with store.read() as s:
        return [_view(s, row) for row in s.scalars(query.limit(limit)).all()]


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


_VERIFICATION_COLUMNS = (
    Verification.ok,
    Verification.checked,
    Verification.failed,
    Verification.rounding,
    Verification.claims,
    Verification.notes,
    Verification.checked_at,
)


@functools.cache
def _get_brief_statement() -> Any:
    """Built once (on first use: ``_LIST_COLUMNS`` is defined below). Building, cache-keying a
    select and adapting its cached result columns to a new statement object cost more than
    running it on SQLite (#16, web3); so for every per-request statement here."""
    return (
        select(
            *_LIST_COLUMNS,
            Brief.sections,
            Brief.sources,
            Brief.chart,
            Brief.outcome,
            FactSheet.data,
            Verification.id.label("verification_id"),
            *_VERIFICATION_COLUMNS,
        )
        .join(FactSheet, FactSheet.id == Brief.fact_sheet_id)
        .outerjoin(Verification, Verification.brief_id == Brief.id)
        .where(Brief.slug == bindparam("slug"))
    )


def get_brief(store: Store, slug: str) -> BriefView | None:
    """One brief with its fact sheet and verification, in one statement."""
    with store.connect() as c:
        row = c.execute(_get_brief_statement(), {"slug": slug}).first()
    if row is None:
        return None
    ver = None
    if row.verification_id is not None:
        ver = {
            "ok": row.ok,
            "checked": row.checked,
            "failed": row.failed,
            "rounding": row.rounding,
            "claims": list(row.claims),
            "notes": list(row.notes or []),
            "checked_at": row.checked_at.isoformat(),
        }
    return replace(
        _list_view(row, row.sections),
        sources=tuple(row.sources),
        chart=row.chart,
        facts=dict(row.data),
        verification=ver,
        outcome=row.outcome,
    )


_BRIEF_CHART = select(BriefChart.svg, BriefChart.caption).where(
    BriefChart.brief_id == bindparam("brief_id")
)  # built once: one primary-key probe per brief page


def brief_chart(store: Store, brief_id: int) -> tuple[str, str] | None:
    """The brief's static chart as rendered when it was stored (SVG, caption), or None when
    none was (the page draws it live from the brief's chart: the same SVG)."""
    with store.connect() as c:
        row = c.execute(_BRIEF_CHART, {"brief_id": brief_id}).first()
    return None if row is None else (row.svg, row.caption)


@functools.cache
def _market_teaser_statement() -> Any:
    return (
        select(
            *_LIST_COLUMNS, Brief.sections, FactSheet.data["session"].as_string().label("session")
        )
        .join(FactSheet, FactSheet.id == Brief.fact_sheet_id)
        .where(Brief.primary_tag == "market")
        .order_by(Brief.as_of.desc(), Brief.published_at.desc(), Brief.id.desc())
        .limit(1)
    )


def market_teaser(store: Store) -> dict[str, Any] | None:
    """The newest market brief as the home page shows it: no fact sheet but its session."""
    with store.connect() as c:
        row = c.execute(_market_teaser_statement()).first()
    if row is None:
        return None
    doc = brief_document(_list_view(row, row.sections))
    doc["facts"] = {"session": row.session}
    return doc


def story_brief_exists(store: Store, symbol: str, story_id: int) -> bool:
    """Whether a hot-story brief on ``story_id`` was written for ``symbol`` (once per story)."""
    with store.read() as s:
        rows = s.execute(
            select(Brief.instruments).where(
                Brief.trigger == "heat", Brief.slug.like(f"%-story-{story_id}")
            )
        ).all()
    return any(symbol in instruments for (instruments,) in rows)


_COUNT_BRIEFS = select(func.count(Brief.id))
_ANY_SIMULATED = select(Brief.id).where(Brief.simulated).limit(1)
_LATEST_BRIEF_ID = select(func.max(Brief.id))
_TAG_COUNTS = select(TagCount.tag, TagCount.n).order_by(TagCount.n.desc(), TagCount.tag)
_TAG_COUNTS_TOP = _TAG_COUNTS.limit(bindparam("limit"))


def count_briefs(store: Store) -> int:
    with store.connect() as c:
        return int(c.scalar(_COUNT_BRIEFS) or 0)


def any_simulated(store: Store) -> bool:
    """Is any brief simulated (``ix_brief_simulated``: one index probe)."""
    with store.connect() as c:
        return c.scalar(_ANY_SIMULATED) is not None


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


def brief_head(view: BriefView) -> dict[str, Any]:
    """The fields a brief's document and its list summary (``/api/briefs``) open with."""
    return {
        "slug": view.slug,
        "as_of": view.as_of.isoformat(),
        "published_at": view.published_at.isoformat(),
        "category": view.category,
        "primary_tag": view.primary_tag,
        "tags": list(view.tags),
        "instruments": list(view.instruments),
        "direction": view.direction,
    }


def brief_document(view: BriefView) -> dict[str, Any]:
    """The brief as one JSON document with every field of DESIGN's brief table."""
    comps = view.facts.get("signals", {}).get("components", {})
    return {
        "id": view.id,
        **brief_head(view),
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


def _matches_text(row: Any, q: str) -> bool:
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


# What a list page, the briefs API and a feed entry show: never the fact sheet, chart or outcome.
_LIST_COLUMNS = (
    Brief.id,
    Brief.slug,
    Brief.as_of,
    Brief.published_at,
    Brief.category,
    Brief.primary_tag,
    Brief.tags,
    Brief.instruments,
    Brief.direction,
    Brief.pulse,
    Brief.heat,
    Brief.heat_label,
    Brief.risk,
    Brief.threat,
    Brief.headline,
    Brief.dek,
    Brief.read_minutes,
    Brief.writer,
    Brief.simulated,
    Brief.trigger,
    Brief.trigger_reason,
)
_Q_CHUNK = 200  # rows read at a time while a text query filters in Python


def _list_view(row: Any, sections: dict[str, Any] | None = None) -> BriefView:
    """A list view from a row starting with ``_LIST_COLUMNS`` (plus sections for feeds).

    Positional: a Row's attribute lookups by name cost more than the rest of a list page's
    Python work (#16)."""
    (
        id_,
        slug,
        as_of,
        published_at,
        category,
        primary_tag,
        tags,
        instruments,
        direction,
        pulse,
        heat,
        heat_label,
        risk,
        threat,
        headline,
        dek,
        read_minutes,
        writer,
        simulated,
        trigger,
        trigger_reason,
    ) = tuple(row)[: len(_LIST_COLUMNS)]
    return BriefView(
        id_,
        slug,
        as_of,
        published_at,
        category,
        primary_tag,
        tuple(tags),
        tuple(instruments),
        direction,
        pulse,
        heat,
        heat_label,
        risk,
        threat,
        headline,
        dek,
        dict(sections or {}),
        (),
        None,
        read_minutes,
        writer,
        simulated,
        {},
        None,
        None,
        trigger,
        trigger_reason,
    )


def search_briefs(
    store: Store,
    flt: BriefFilter,
    *,
    limit: int = 20,
    cursor: str | None = None,
    with_sections: bool = False,
) -> tuple[list[BriefView], str | None]:
    """A page of briefs matching ``flt``, newest first, and the cursor of the next page.

    Keyset pagination on ``(as_of, id)``: a tag or symbol filter walks its index
    (``brief_tag``/``brief_instrument``), otherwise ``brief``'s own; the other filters are SQL
    conditions, so a page reads about ``limit`` rows. Only a text query (``q``) reads on until
    it has found ``limit`` matches. ``with_sections`` adds the body (Atom entries).

    Raises:
        ValueError: an invalid cursor.
    """
    params: dict[str, Any] = {"limit": limit + 1}
    for name in ("symbol", "tag", "category", "direction", "min_threat"):
        value = getattr(flt, name)
        if value is not None:
            params[name] = value.lower() if name in ("category", "direction") else value
    if cursor:
        params["cursor_as_of"], params["cursor_id"] = _decode_cursor(cursor)
    query = _search_statement(frozenset(params), with_sections=with_sections, text=bool(flt.q))
    scanned: Any = None  # a text query's last row read, when it stopped at MAX_SCAN
    with store.connect() as c:
        if not flt.q:
            rows = list(c.execute(query, params).all())
        else:
            rows = []
            stream = c.execution_options(yield_per=_Q_CHUNK).execute(query, params)
            for n, row in enumerate(stream):
                if n == MAX_SCAN:  # bounded work per request: the next page resumes after it
                    break
                scanned = row
                if _matches_text(row, flt.q):
                    rows.append(row)
                    if len(rows) > limit:
                        break
            else:
                scanned = None  # the index ended: no next page
    views = [_list_view(r, r.sections if with_sections else None) for r in rows[:limit]]
    if len(rows) > limit and views:
        next_cursor: str | None = encode_cursor(views[-1])
    elif scanned is not None:
        next_cursor = _cursor_of(scanned.as_of, scanned.id)
    else:
        next_cursor = None
    return views, next_cursor


@functools.lru_cache(maxsize=128)
def _search_statement(params: frozenset[str], *, with_sections: bool, text: bool) -> Any:
    """The statement of one shape of search (which filters are set), built once: building a
    select costs more than running it on a page of rows. Values are bound parameters."""
    columns = (*_LIST_COLUMNS, Brief.sections) if with_sections else _LIST_COLUMNS
    query = select(*columns)
    key_as_of: Any = Brief.as_of
    key_id: Any = Brief.id
    if "symbol" in params:
        query = query.join(BriefInstrument, BriefInstrument.brief_id == Brief.id).where(
            BriefInstrument.symbol == bindparam("symbol")
        )
        key_as_of, key_id = BriefInstrument.as_of, BriefInstrument.brief_id
        if "tag" in params:
            query = query.where(
                select(BriefTag.brief_id)
                .where(BriefTag.brief_id == Brief.id, BriefTag.tag == bindparam("tag"))
                .exists()
            )
    elif "tag" in params:
        query = query.join(BriefTag, BriefTag.brief_id == Brief.id).where(
            BriefTag.tag == bindparam("tag")
        )
        key_as_of, key_id = BriefTag.as_of, BriefTag.brief_id
    if "category" in params:
        query = query.where(func.lower(Brief.category) == bindparam("category"))
    if "direction" in params:
        query = query.where(func.lower(Brief.direction) == bindparam("direction"))
    if "min_threat" in params:
        query = query.where(func.coalesce(Brief.threat, 0) >= bindparam("min_threat"))
    if "cursor_as_of" in params:
        as_of: Any = bindparam("cursor_as_of")
        brief_id: Any = bindparam("cursor_id")
        query = query.where((key_as_of < as_of) | ((key_as_of == as_of) & (key_id < brief_id)))
    query = query.order_by(key_as_of.desc(), key_id.desc())
    return query if text else query.limit(bindparam("limit"))


RELATED_PER_KEY = 50  # newest briefs read per shared instrument, source or tag
_DIRECTION_TAGS = frozenset({"bullish", "bearish", "neutral"})


def related_briefs(store: Store, view: BriefView, *, limit: int = 4) -> list[BriefView]:
    """Other briefs sharing instruments (3 points), cited sources (2) or tags (1), best first;
    the most recent others fill the list when fewer are related.

    Candidates are the newest ``RELATED_PER_KEY`` briefs of each of the brief's instruments,
    sources and tags, read from their indexes in one statement, plus the newest briefs: the
    page reads O(keys x RELATED_PER_KEY) index rows whatever the size of the store.
    """
    keyed = [(3, "brief_instrument", "symbol", s) for s in dict.fromkeys(view.instruments)]
    urls = dict.fromkeys(url_key(src["url"]) for src in view.sources if src.get("url"))
    keyed += [(2, "brief_source", "url_key", k) for k in urls]
    tags = [t for t in dict.fromkeys(view.tags) if t not in _DIRECTION_TAGS]
    keyed += [(1, "brief_tag", "tag", t) for t in tags]
    candidates = _related_statement(tuple((w, table, col) for w, table, col, _ in keyed), limit)
    params = {f"k{i}": value for i, (*_, value) in enumerate(keyed)}
    scores: dict[int, int] = {}
    as_of: dict[int, datetime] = {}  # only compared with each other: UTC, naive on SQLite
    with store.connect() as c:
        for weight, brief_id, when in c.execute(candidates, params).all():  # one fetchall
            if brief_id != view.id:
                scores[brief_id] = scores.get(brief_id, 0) + weight
                as_of[brief_id] = when
        # highest score, then newest, then highest id (ids are unique: a total order)
        best = sorted(scores, key=lambda i: (scores[i], as_of[i], i), reverse=True)
        best = best[: 3 * limit]  # twins (same instruments, same session) are dropped below
        rows = {r.id: r for r in c.execute(_by_ids_statement(), {"ids": best})}
    related = [
        _list_view(rows[i])
        for i in best
        if i in rows
        and not (set(rows[i].instruments) == set(view.instruments) and rows[i].as_of == view.as_of)
    ]
    return related[:limit]


@functools.cache
def _by_ids_statement() -> Any:
    return select(*_LIST_COLUMNS).where(Brief.id.in_(bindparam("ids", expanding=True)))


@functools.lru_cache(maxsize=512)
def _related_statement(shape: tuple[tuple[int, str, str], ...], limit: int) -> Any:
    """``related_briefs``' candidates for one shape of keys ((weight, table, column) per key),
    built once per shape; the keys' values are bound parameters.

    Plain SQL: a statement of n subqueries built with the expression language costs more to
    build and cache-key than to run."""
    parts = [
        f"SELECT * FROM (SELECT {w} AS w, brief_id AS id, as_of FROM {table} WHERE {col} = :k{i}"
        f" ORDER BY as_of DESC, brief_id DESC LIMIT {RELATED_PER_KEY}) AS c{i}"
        for i, (w, table, col) in enumerate(shape)
    ]
    parts.append(
        "SELECT * FROM (SELECT 0 AS w, id, as_of FROM brief"
        f" ORDER BY as_of DESC, id DESC LIMIT {2 * limit + 1}) AS newest"
    )
    return (
        text(" UNION ALL ".join(parts))
        .bindparams(*(bindparam(f"k{i}") for i in range(len(shape))))
        # as_of only orders candidates: the column's own type (UTC, naive on SQLite), without
        # UTCDateTime's per-row conversion to an aware datetime (~300 rows per brief page)
        .columns(w=Integer(), id=Integer(), as_of=DateTime(timezone=True))
    )


def tag_counts(store: Store, *, limit: int | None = None) -> list[tuple[str, int]]:
    """Tags in use with their number of briefs, most used first (``tag_count``, kept at publish)."""
    query, params = (_TAG_COUNTS, {}) if limit is None else (_TAG_COUNTS_TOP, {"limit": limit})
    with store.connect() as c:
        return [(tag, int(n)) for tag, n in c.execute(query, params).all()]


def latest_brief_id(store: Store) -> int:
    with store.connect() as c:
        return int(c.scalar(_LATEST_BRIEF_ID) or 0)


def briefs_after(store: Store, brief_id: int, *, limit: int = 20) -> list[BriefView]:
    """Briefs stored after ``brief_id`` (the live stream), oldest first."""
    query = select(*_LIST_COLUMNS).where(Brief.id > brief_id).order_by(Brief.id).limit(limit)
    with store.connect() as c:
        return [_list_view(row) for row in c.execute(query)]


def stored_slugs(store: Store, slugs: Sequence[str]) -> set[str]:
    """Which of ``slugs`` are stored briefs (one query)."""
    if not slugs:
        return set()
    with store.connect() as c:
        return set(c.scalars(select(Brief.slug).where(Brief.slug.in_(list(slugs)))))


def brief_rewritten(store: Store, slug: str) -> bool:
    """Was the brief rewritten by a coherence rule before it was published (its notes say so)?"""
    with store.read() as s:
        notes = s.scalar(
            select(Verification.notes)
            .join(Brief, Brief.id == Verification.brief_id)
            .where(Brief.slug == slug)
        )
    return any(str(n).startswith("coherence rewrite:") for n in notes or [])


def briefs_citing(store: Store, urls: list[str], *, limit: int = 10) -> list[BriefView]:
    """Briefs that cite any of ``urls`` (``brief_source`` by URL key), newest first."""
    keys = list(dict.fromkeys(url_key(u) for u in urls if u))
    if not keys:
        return []
    ids = (
        select(BriefSource.brief_id)
        .where(BriefSource.url_key.in_(keys))
        .order_by(BriefSource.as_of.desc(), BriefSource.brief_id.desc())
        .limit(limit * 4)
    )
    query = (
        select(*_LIST_COLUMNS)
        .where(Brief.id.in_(ids.scalar_subquery()))
        .order_by(Brief.as_of.desc(), Brief.id.desc())
        .limit(limit)
    )
    with store.connect() as c:
        return [_list_view(row) for row in c.execute(query)]
