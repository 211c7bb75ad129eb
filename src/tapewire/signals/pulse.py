"""Pulse 0-100 (DESIGN: Scores): ``50 + 50*tanh(sum w_i*c_i)`` over components in [-1, 1].

Components: news (sentiment), trend, momentum and relative strength, each a documented pure
function below; every component, its inputs and its weight are shown on the brief ("why 41?").
A component whose inputs are missing is None and counts 0. Direction follows from the score
alone (Bullish >= 60, Bearish <= 40), so the same Pulse always reads the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Direction = Literal["Bullish", "Neutral", "Bearish"]
BULLISH_AT = 60.0
BEARISH_AT = 40.0
WEIGHTS = {"news": 0.6, "trend": 0.8, "momentum": 0.6, "relative_strength": 0.4}
NEWS_SHRINK = 3.0  # with s distinct stories the news component is scaled by s / (s + NEWS_SHRINK)
NEWS_HALF_LIFE_H = 24.0  # an item's weight halves every day of age


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    value: float | None  # in [-1, 1]; None when its inputs are missing (it then counts 0)
    weight: float
    inputs: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class Pulse:
    score: float
    direction: Direction
    components: tuple[Component, ...]


def _clip(x: float) -> float:
    return max(-1.0, min(1.0, x))


def compute_trend(
    close: float, sma50: float | None, sma200: float | None, sma50_slope_pct: float | None = None
) -> Component:
    """Close vs the 50-day average, the 50-day vs the 200-day (10 % apart = full), and the
    50-day average's slope over 20 sessions (5 % = full): equal parts of what is known."""
    inputs = {"close": close, "sma50": sma50, "sma200": sma200, "sma50_slope_pct": sma50_slope_pct}
    if sma50 is None:
        return Component("trend", None, WEIGHTS["trend"], inputs)
    parts = [_clip((close / sma50 - 1.0) * 10.0)]
    if sma200 is not None:
        parts.append(_clip((sma50 / sma200 - 1.0) * 10.0))
    if sma50_slope_pct is not None:
        parts.append(_clip(sma50_slope_pct / 5.0))
    return Component("trend", round(sum(parts) / len(parts), 4), WEIGHTS["trend"], inputs)


def compute_momentum(
    rsi14: float | None, return20_pct: float | None, return20_z: float | None = None
) -> Component:
    """RSI distance from 50 (25 points = full) and the 20-day return, half each. The return
    enters as its z-score against the last year's 20-day returns (2 sigma = full) when known,
    else as a percentage (10 % = full)."""
    inputs = {"rsi14": rsi14, "return20_pct": return20_pct, "return20_z": return20_z}
    parts = []
    if rsi14 is not None:
        parts.append(_clip((rsi14 - 50.0) / 25.0))
    if return20_z is not None:
        parts.append(_clip(return20_z / 2.0))
    elif return20_pct is not None:
        parts.append(_clip(return20_pct / 10.0))
    value = round(sum(parts) / len(parts), 4) if parts else None
    return Component("momentum", value, WEIGHTS["momentum"], inputs)


@dataclass(frozen=True, slots=True)
class NewsInput:
    published_at: datetime
    publisher: str
    sentiment: float  # [-1, 1]: the tone toward the instrument where known, else the item's
    relevance: float  # entity-link relevance, title 1.0, summary 0.5 (+ mentions); theme <= 0.3
    story_id: int | None
    heat_weight: float = 1.0  # how much the item counts in Heat (a theme link: THEME_HEAT_WEIGHT)


def compute_news(items: Sequence[NewsInput], *, as_of: datetime) -> Component:
    """Mean sentiment weighted by relevance and recency (half-life NEWS_HALF_LIFE_H hours); items
    of one story share one story's weight (more outlets add sqrt(outlets), not outlets); shrunk
    toward 0 by s / (s + NEWS_SHRINK) where s counts distinct stories."""
    inputs: dict[str, float | None] = {"items": float(len(items))}
    groups: dict[object, list[NewsInput]] = {}
    for item in items:
        groups.setdefault(item.story_id if item.story_id is not None else id(item), []).append(item)
    total = weighted = 0.0
    for group in groups.values():
        share = math.sqrt(len({i.publisher for i in group})) / len(group)
        for item in group:
            age_h = max(0.0, (as_of - item.published_at).total_seconds() / 3600.0)
            w = item.relevance * 0.5 ** (age_h / NEWS_HALF_LIFE_H) * share
            total += w
            weighted += w * item.sentiment
    if not items or total <= 0:
        return Component("news", None, WEIGHTS["news"], inputs)
    stories = len(groups)
    mean = weighted / total
    inputs |= {"stories": float(stories), "mean_sentiment": round(mean, 4)}
    value = round(_clip(mean * stories / (stories + NEWS_SHRINK)), 4)
    return Component("news", value, WEIGHTS["news"], inputs)


def compute_relative_strength(
    return20_pct: float | None,
    benchmark_return20_pct: float | None,
    rs20_pct: float | None = None,
) -> Component:
    """The price ratio's change against the benchmark over 20 sessions (10 % = full); without
    the ratio, the difference of the two 20-day returns."""
    inputs = {
        "return20_pct": return20_pct,
        "benchmark_return20_pct": benchmark_return20_pct,
        "rs20_pct": rs20_pct,
    }
    if rs20_pct is None and return20_pct is not None and benchmark_return20_pct is not None:
        rs20_pct = return20_pct - benchmark_return20_pct
    if rs20_pct is None:
        return Component("relative_strength", None, WEIGHTS["relative_strength"], inputs)
    value = _clip(rs20_pct / 10.0)
    return Component("relative_strength", round(value, 4), WEIGHTS["relative_strength"], inputs)


def direction_of(score: float) -> Direction:
    """Direction follows from Pulse alone: Bullish >= 60, Bearish <= 40."""
    if score >= BULLISH_AT:
        return "Bullish"
    if score <= BEARISH_AT:
        return "Bearish"
    return "Neutral"


def compute_pulse(components: Sequence[Component]) -> Pulse:
    total = sum(c.weight * c.value for c in components if c.value is not None)
    score = round(50.0 + 50.0 * math.tanh(total), 1)
    return Pulse(score, direction_of(score), tuple(components))
