"""Group items about the same event into stories (pure). Thin: title-token overlap in a window."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

SIMILARITY = 0.3  # Jaccard overlap of title tokens that makes two items one story
WINDOW = timedelta(hours=36)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "as",
        "at",
        "by",
        "with",
        "from",
        "is",
        "are",
        "its",
        "it",
        "after",
        "amid",
    ]
)
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class StoryInput:
    item_id: int
    title: str
    published_at: datetime
    publisher: str
    instrument_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class StoryGroup:
    key: str
    title: str
    item_ids: tuple[int, ...]
    first_seen_at: datetime
    last_seen_at: datetime
    outlet_count: int


def _tokens(title: str) -> frozenset[str]:
    return frozenset(t for t in _TOKEN.findall(title.lower()) if t not in _STOP)


def _similar(a: StoryInput, b: StoryInput, ta: frozenset[str], tb: frozenset[str]) -> bool:
    if abs(a.published_at - b.published_at) > WINDOW:
        return False
    if a.instrument_ids and b.instrument_ids and not (a.instrument_ids & b.instrument_ids):
        return False
    union = ta | tb
    return bool(union) and len(ta & tb) / len(union) >= SIMILARITY


def find_stories(items: Sequence[StoryInput]) -> list[StoryGroup]:
    """Single-link clustering of items, oldest first; each group keyed by its first item."""
    ordered = sorted(items, key=lambda i: (i.published_at, i.item_id))
    tokens = [_tokens(i.title) for i in ordered]
    groups: list[list[int]] = []
    for idx, item in enumerate(ordered):
        home = next(
            (
                g
                for g in groups
                if any(_similar(item, ordered[j], tokens[idx], tokens[j]) for j in g)
            ),
            None,
        )
        if home is None:
            groups.append([idx])
        else:
            home.append(idx)
    return [_group([ordered[j] for j in g]) for g in groups]


def _group(members: list[StoryInput]) -> StoryGroup:
    first = members[0]
    key = hashlib.sha256(f"{first.item_id}:{first.title}".encode()).hexdigest()[:32]
    return StoryGroup(
        key=key,
        title=first.title,
        item_ids=tuple(m.item_id for m in members),
        first_seen_at=first.published_at,
        last_seen_at=members[-1].published_at,
        outlet_count=len({m.publisher for m in members}),
    )
