"""Heat 0-100 (pure): coverage in the last 24 h against the instrument's trailing baseline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

HeatLabel = Literal["Low", "Medium", "High"]
BASELINE_DAYS = 7
PUBLISHER_WEIGHT = 2.0  # a new outlet covering it counts more than one more item


@dataclass(frozen=True, slots=True)
class Heat:
    score: float
    label: HeatLabel
    items_24h: int
    publishers_24h: int
    baseline_per_day: float


def label_of(score: float) -> HeatLabel:
    return "High" if score >= 67 else "Medium" if score >= 34 else "Low"


def compute_heat(items: Sequence[tuple[datetime, str]], *, as_of: datetime) -> Heat:
    """``items`` are (published_at, publisher) before as_of. Score = raw / (raw + 2*baseline + 1)."""
    day_ago = as_of - timedelta(hours=24)
    recent = [(t, p) for t, p in items if day_ago <= t < as_of]
    older = [(t, p) for t, p in items if as_of - timedelta(days=BASELINE_DAYS + 1) <= t < day_ago]
    raw = len(recent) + PUBLISHER_WEIGHT * len({p for _, p in recent})
    baseline = _daily_baseline(older, day_ago)
    score = round(100.0 * raw / (raw + 2.0 * baseline + 1.0), 1)
    return Heat(
        score, label_of(score), len(recent), len({p for _, p in recent}), round(baseline, 2)
    )


def _daily_baseline(older: Sequence[tuple[datetime, str]], day_ago: datetime) -> float:
    per_day = []
    for d in range(BASELINE_DAYS):
        end = day_ago - timedelta(days=d)
        day = [(t, p) for t, p in older if end - timedelta(days=1) <= t < end]
        per_day.append(len(day) + PUBLISHER_WEIGHT * len({p for _, p in day}))
    return sum(per_day) / BASELINE_DAYS
