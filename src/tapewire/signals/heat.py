"""Heat 0-100 (pure): coverage in the last 24 h against the instrument's trailing baseline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

HeatLabel = Literal["Low", "Medium", "High"]
BASELINE_DAYS = 7
PUBLISHER_WEIGHT = 2.0  # a new outlet covering it counts more than one more item
THEME_HEAT_WEIGHT = 0.25  # an item reaching the instrument only through a theme counts a quarter


@dataclass(frozen=True, slots=True)
class Heat:
    score: float
    label: HeatLabel
    items_24h: int
    publishers_24h: int
    baseline_per_day: float


def label_of(score: float) -> HeatLabel:
    return "High" if score >= 67 else "Medium" if score >= 34 else "Low"


def compute_heat(
    items: Sequence[tuple[datetime, str]],
    *,
    as_of: datetime,
    weights: Sequence[float] | None = None,
) -> Heat:
    """``items`` are (published_at, publisher) before as_of. Score = raw / (raw + 2*baseline + 1).

    ``weights`` (default 1 each) say how much each item counts: a named link 1, an item reaching
    the instrument only through a theme ``THEME_HEAT_WEIGHT``. Raw coverage is the items' summed
    weight plus ``PUBLISHER_WEIGHT`` x, per distinct outlet, the largest weight of its items (an
    outlet seen only through theme links adds a quarter of a naming outlet).
    """
    w = list(weights) if weights is not None else [1.0] * len(items)
    rows = [(t, p, wt) for (t, p), wt in zip(items, w, strict=True)]
    day_ago = as_of - timedelta(hours=24)
    recent = [r for r in rows if day_ago <= r[0] < as_of]
    older = [r for r in rows if as_of - timedelta(days=BASELINE_DAYS + 1) <= r[0] < day_ago]
    raw = _coverage(recent)
    baseline = _daily_baseline(older, day_ago)
    score = round(100.0 * raw / (raw + 2.0 * baseline + 1.0), 1)
    return Heat(
        score, label_of(score), len(recent), len({p for _, p, _ in recent}), round(baseline, 2)
    )


def _coverage(rows: Sequence[tuple[datetime, str, float]]) -> float:
    best: dict[str, float] = {}
    for _, publisher, weight in rows:
        best[publisher] = max(best.get(publisher, 0.0), weight)
    return sum(weight for _, _, weight in rows) + PUBLISHER_WEIGHT * sum(best.values())


def _daily_baseline(older: Sequence[tuple[datetime, str, float]], day_ago: datetime) -> float:
    per_day = []
    for d in range(BASELINE_DAYS):
        end = day_ago - timedelta(days=d)
        per_day.append(_coverage([r for r in older if end - timedelta(days=1) <= r[0] < end]))
    return sum(per_day) / BASELINE_DAYS
