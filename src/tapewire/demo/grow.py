"""Grow a store's briefs to thousands, fast, for the web bench and the page-cost tests (#16).

Every copy is a brief the real writer wrote on real bars (the demo's, or a replay's), moved back
whole days and renamed: the same headline, sections, chart, sources, tags, instruments and
verification, a new slug, ``as_of`` and ``published_at``. Copies share their original's fact sheet
(the pages read one fact sheet per brief page, never a list of them). Written with bulk inserts
and indexed by ``index_briefs`` as the newsroom does at publish time. SQLite only (it sets ids).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select

from tapewire.newsroom.brief_index import BriefChart, IndexedBrief, index_briefs
from tapewire.newsroom.models import Brief, Verification
from tapewire.store import Store

CHUNK = 2000


def grow_briefs(store: Store, total: int) -> int:
    """Add copies of the stored briefs until the store holds ``total``; returns how many it added.

    Copy ``k`` of a brief is ``k`` days older than it (so pages stay ordered like a real archive
    with the newest briefs first), slug ``<slug>-c<k>``.

    Raises:
        ValueError: the store has no brief to copy, or is not SQLite.
    """
    if not store.is_sqlite:
        raise ValueError("grow_briefs sets ids itself: SQLite stores only")
    with store.read() as s:
        originals = [_row(b) for b in s.scalars(select(Brief).order_by(Brief.id))]
        checks = {v.brief_id: _row(v) for v in s.scalars(select(Verification))}
        renders = {r.brief_id: _row(r) for r in s.scalars(select(BriefChart))}
        have = int(s.scalar(select(func.count(Brief.id))) or 0)
        next_id = int(s.scalar(select(func.max(Brief.id))) or 0) + 1
        next_ver = int(s.scalar(select(func.max(Verification.id))) or 0) + 1
    if not originals:
        raise ValueError("no brief to copy: write some first (tapewire demo)")
    slugs = {b["slug"] for b in originals}
    added, k = 0, 0
    while have + added < total:
        k += 1
        briefs: list[dict[str, Any]] = []
        checks_out: list[dict[str, Any]] = []
        renders_out: list[dict[str, Any]] = []
        for b in originals:
            if have + added + len(briefs) >= total:
                break
            slug = f"{b['slug']}-c{k}"
            if slug in slugs:
                continue
            shift = timedelta(days=k)
            copy = {
                **b,
                "id": next_id,
                "slug": slug,
                "as_of": b["as_of"] - shift,
                "published_at": b["published_at"] - shift,
            }
            briefs.append(copy)
            if b["id"] in checks:
                ver = checks[b["id"]]
                checks_out.append(
                    {
                        **ver,
                        "id": next_ver,
                        "brief_id": next_id,
                        "checked_at": ver["checked_at"] - shift,
                    }
                )
                next_ver += 1
            if b["id"] in renders:  # the chart rendered at publish: a copy draws the same
                renders_out.append({**renders[b["id"]], "brief_id": next_id})
            next_id += 1
        for start in range(0, len(briefs), CHUNK):
            chunk = briefs[start : start + CHUNK]
            ids = {c["id"] for c in chunk}
            with store.write() as s:
                s.execute(insert(Brief), chunk)
                vers = [v for v in checks_out if v["brief_id"] in ids]
                if vers:
                    s.execute(insert(Verification), vers)
                drawn = [r for r in renders_out if r["brief_id"] in ids]
                if drawn:
                    s.execute(insert(BriefChart), drawn)
                index_briefs(
                    s,
                    (
                        IndexedBrief(c["id"], c["as_of"], c["tags"], c["instruments"], c["sources"])
                        for c in chunk
                    ),
                )
        added += len(briefs)
    return added


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}
