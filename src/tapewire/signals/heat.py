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
THEME_HEAT_WEIGHT = 0.25  # an item reaching the instrument only through a theme counts a quarter


@dataclass(frozen=True, slots=True)
class Heat:
    score: float
    label: HeatLabel
    items_24h: int  # distinct (story, outlet) pairs: copies of one story at one outlet count once
    publishers_24h: int  # distinct outlets
    baseline_per_day: float


def label_of(score: float) -> HeatLabel:
    return "High" if score >= 67 else "Medium" if score >= 34 else "Low"


def _coverage(items: Sequence[tuple[datetime, str, object, float]]) -> tuple[int, int, float]:
    """(distinct story-outlet pairs, distinct outlets, raw coverage).

    Raw coverage is each story-outlet pair at its strongest link's weight plus PUBLISHER_WEIGHT x
    each outlet at its strongest link's weight (an outlet seen only through theme links adds a
    quarter of a naming outlet)."""
    pairs: dict[tuple[object, str], float] = {}
    outlets: dict[str, float] = {}
    for _, outlet, story, weight in items:
        pairs[(story, outlet)] = max(pairs.get((story, outlet), 0.0), weight)
        outlets[outlet] = max(outlets.get(outlet, 0.0), weight)
    raw = sum(pairs.values()) + PUBLISHER_WEIGHT * sum(outlets.values())
    return len(pairs), len(outlets), raw


def _keyed(
    items: Sequence[HeatItem], weights: Sequence[float] | None
) -> list[tuple[datetime, str, object, float]]:
    """Each item with its story key (an item without a story is its own story) and weight."""
    w = list(weights) if weights is not None else [1.0] * len(items)
    out: list[tuple[datetime, str, object, float]] = []
    for n, (item, weight) in enumerate(zip(items, w, strict=True)):
        story = item[2] if len(item) > 2 else None
        key = ("story", story) if story is not None else ("item", n)
        out.append((item[0], item[1], key, weight))
    return out


def compute_heat(
    items: Sequence[HeatItem], *, as_of: datetime, weights: Sequence[float] | None = None
) -> Heat:
    """``items`` are before as_of. Score = raw / (raw + 2*baseline + 1) (raw: ``_coverage``).

    ``weights`` (default 1 each) say how much each item counts: a named link 1, an item reaching
    the instrument only through a theme ``THEME_HEAT_WEIGHT``.
    """
    keyed = _keyed(items, weights)
    day_ago = as_of - timedelta(hours=24)
    recent = [i for i in keyed if day_ago <= i[0] < as_of]
    older = [i for i in keyed if as_of - timedelta(days=BASELINE_DAYS + 1) <= i[0] < day_ago]
    pairs, outlets, raw = _coverage(recent)
    baseline = _daily_baseline(older, day_ago)
    score = round(100.0 * raw / (raw + 2.0 * baseline + 1.0), 1)
    return Heat(score, label_of(score), pairs, outlets, round(baseline, 2))


def _daily_baseline(
    older: Sequence[tuple[datetime, str, object, float]], day_ago: datetime
) -> float:
    per_day = []
    for d in range(BASELINE_DAYS):
        end = day_ago - timedelta(days=d)
        per_day.append(_coverage([i for i in older if end - timedelta(days=1) <= i[0] < end])[2])
    return sum(per_day) / BASELINE_DAYS


def story_heats(
    items: Sequence[HeatItem], *, as_of: datetime, weights: Sequence[float] | None = None
) -> dict[int, float]:
    """Heat 0-100 of each story with items in the last 24 h, on the instrument's scale: the
    story's own coverage (``_coverage`` of its items only) against the instrument's whole daily
    baseline, so one story alone reaches what the instrument's Heat would with only it."""
    keyed = _keyed(items, weights)
    day_ago = as_of - timedelta(hours=24)
    older = [i for i in keyed if as_of - timedelta(days=BASELINE_DAYS + 1) <= i[0] < day_ago]
    baseline = _daily_baseline(older, day_ago)
    by_story: dict[int, list[tuple[datetime, str, object, float]]] = {}
    for item in keyed:
        key = item[2]
        if day_ago <= item[0] < as_of and isinstance(key, tuple) and key[0] == "story":
            by_story.setdefault(int(key[1]), []).append(item)
    out = {}
    for story, its in by_story.items():
        raw = _coverage(its)[2]
        out[story] = round(100.0 * raw / (raw + 2.0 * baseline + 1.0), 1)
    return out
