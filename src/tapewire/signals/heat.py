"""Heat 0-100 (pure): coverage in the last 24 h against the instrument's trailing baseline.

Coverage counts distinct outlets of distinct stories: an item is (published_at, outlet, story),
and one story's copies from one outlet (a wire item syndicated by five aggregators, a story
re-posted with a new headline) count once. An item without a story is its own story.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

HeatLabel = Literal["Low", "Medium", "High"]
BASELINE_DAYS = 7
PUBLISHER_WEIGHT = 2.0  # a new outlet covering it counts more than one more item
# (published_at, outlet) or (published_at, outlet, story id or None)
HeatItem = tuple[datetime, str] | tuple[datetime, str, int | None]


@dataclass(frozen=True, slots=True)
class Heat:
    score: float
    label: HeatLabel
    items_24h: int  # distinct (story, outlet) pairs: copies of one story at one outlet count once
    publishers_24h: int  # distinct outlets
    baseline_per_day: float


def label_of(score: float) -> HeatLabel:
    return "High" if score >= 67 else "Medium" if score >= 34 else "Low"


def _coverage(items: Sequence[tuple[datetime, str, object]]) -> tuple[int, int]:
    """(distinct story-outlet pairs, distinct outlets)."""
    return len({(story, outlet) for _, outlet, story in items}), len({o for _, o, _ in items})


def _keyed(items: Sequence[HeatItem]) -> list[tuple[datetime, str, object]]:
    """Each item with its story key (an item without a story is its own story)."""
    out: list[tuple[datetime, str, object]] = []
    for n, item in enumerate(items):
        story = item[2] if len(item) > 2 else None
        out.append((item[0], item[1], ("story", story) if story is not None else ("item", n)))
    return out


def compute_heat(items: Sequence[HeatItem], *, as_of: datetime) -> Heat:
    """``items`` are before as_of. Score = raw / (raw + 2*baseline + 1), raw = distinct
    story-outlet pairs + PUBLISHER_WEIGHT * distinct outlets."""
    keyed = _keyed(items)
    day_ago = as_of - timedelta(hours=24)
    recent = [i for i in keyed if day_ago <= i[0] < as_of]
    older = [i for i in keyed if as_of - timedelta(days=BASELINE_DAYS + 1) <= i[0] < day_ago]
    pairs, outlets = _coverage(recent)
    raw = pairs + PUBLISHER_WEIGHT * outlets
    baseline = _daily_baseline(older, day_ago)
    score = round(100.0 * raw / (raw + 2.0 * baseline + 1.0), 1)
    return Heat(score, label_of(score), pairs, outlets, round(baseline, 2))


def _daily_baseline(older: Sequence[tuple[datetime, str, object]], day_ago: datetime) -> float:
    per_day = []
    for d in range(BASELINE_DAYS):
        end = day_ago - timedelta(days=d)
        pairs, outlets = _coverage([i for i in older if end - timedelta(days=1) <= i[0] < end])
        per_day.append(pairs + PUBLISHER_WEIGHT * outlets)
    return sum(per_day) / BASELINE_DAYS
