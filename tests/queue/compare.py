"""What two stores hold, in a form that does not depend on row ids or insertion order: items by
canonical URL, stories by their members' URLs, signals and briefs (with their fact sheets, field
by field) by instrument, day and slug. Row ids inside fact sheets and slugs are replaced by
those keys. (A story's stored ``key`` hashes its first item's row id, and workers store items in
the order their feeds arrive, so the key itself differs between the two runs.)"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tapewire.enrich.models import Story, StoryItem
from tapewire.ingest.models import NewsItem
from tapewire.market.models import Instrument
from tapewire.newsroom.models import Brief, FactSheet
from tapewire.signals.models import Signal
from tapewire.store import Store

ITEM_FIELDS = ("url", "title", "summary", "published_at", "outlet", "language", "fetched_at")


def _day(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat()


def snapshot(store: Store) -> dict[str, Any]:
    with store.read() as s:
        items = {i.id: i for i in s.scalars(select(NewsItem))}
        stories = {st.id: st for st in s.scalars(select(Story))}
        members: dict[int, set[str]] = {}
        for link in s.scalars(select(StoryItem)):
            members.setdefault(link.story_id, set()).add(items[link.news_item_id].canonical_url)
        symbols = {i.id: i.symbol for i in s.scalars(select(Instrument))}
        sheets = {f.id: f.data for f in s.scalars(select(FactSheet))}
        story_key = {sid: _members_key(members.get(sid, set())) for sid in stories}
        item_key = {iid: i.canonical_url for iid, i in items.items()}
        briefs = {
            _slug(b.slug, story_key): {
                "headline": b.headline,
                "dek": b.dek,
                "direction": b.direction,
                "pulse": b.pulse,
                "sections": b.sections,
                "facts": _without_ids(sheets[b.fact_sheet_id], story_key, item_key),
            }
            for b in s.scalars(select(Brief))
        }
        return {
            "items": {
                i.canonical_url: tuple(
                    _day(v) if isinstance(v := getattr(i, f), datetime) else v for f in ITEM_FIELDS
                )
                for i in items.values()
            },
            "stories": {
                story_key[sid]: (st.title, st.item_count, st.first_seen_at, st.last_seen_at)
                for sid, st in stories.items()
            },
            "signals": {
                (symbols[g.instrument_id], _day(g.as_of)): (
                    g.pulse,
                    g.direction,
                    g.heat,
                    g.risk,
                    g.threat,
                    g.components,
                )
                for g in s.scalars(select(Signal))
            },
            "briefs": briefs,
        }


def _members_key(urls: set[str]) -> str:
    return hashlib.sha256("\n".join(sorted(urls)).encode()).hexdigest()[:16]


def _slug(slug: str, story_key: dict[int, str]) -> str:
    head, sep, tail = slug.rpartition("-story-")
    return f"{head}{sep}{story_key.get(int(tail), tail)}" if sep and tail.isdigit() else slug


def _without_ids(value: Any, story_key: dict[int, str], item_key: dict[int, str]) -> Any:
    """Fact sheet values with story and item row ids replaced by their keys."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("story_id", "lead_story") and isinstance(v, int):
                out[k] = story_key.get(v, v)
            elif k in ("item_id", "news_item_id") and isinstance(v, int):
                out[k] = item_key.get(v, v)
            else:
                out[k] = _without_ids(v, story_key, item_key)
        return out
    if isinstance(value, list):
        return [_without_ids(v, story_key, item_key) for v in value]
    return value


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """One line per differing key (at most 20)."""
    out: list[str] = []
    for part in a:
        left, right = a[part], b[part]
        for key in sorted(set(left) | set(right), key=str):
            if left.get(key) != right.get(key):
                out.append(f"{part} {key}: {left.get(key)!r:.300} != {right.get(key)!r:.300}")
    return out[:20]
