"""Pulse 0-100 (DESIGN: Scores): ``50 + 50*tanh(sum w_i*c_i)`` over components in [-1, 1].

Thin first version; every component and weight is shown on the brief ("why 41?").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Direction = Literal["Bullish", "Neutral", "Bearish"]
BULLISH_AT = 60.0
BEARISH_AT = 40.0
WEIGHTS = {"news": 0.6, "trend": 0.8, "momentum": 0.6, "relative_strength": 0.4}
NEWS_SHRINK = 3.0  # with n items the news component is scaled by n / (n + NEWS_SHRINK)


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


def compute_trend(close: float, sma50: float | None, sma200: float | None) -> Component:
    """Half from close vs the 50-day average, half from the 50-day vs the 200-day (10% = full)."""
    inputs = {"close": close, "sma50": sma50, "sma200": sma200}
    if sma50 is None:
        return Component("trend", None, WEIGHTS["trend"], inputs)
    value = 0.5 * _clip((close / sma50 - 1.0) * 10.0)
    if sma200 is not None:
        value += 0.5 * _clip((sma50 / sma200 - 1.0) * 10.0)
    return Component("trend", round(value, 4), WEIGHTS["trend"], inputs)


def compute_momentum(rsi14: float | None, return20_pct: float | None) -> Component:
    """RSI distance from 50 (25 points = full) and the 20-day return (10% = full), half each."""
    inputs = {"rsi14": rsi14, "return20_pct": return20_pct}
    parts = []
    if rsi14 is not None:
        parts.append(_clip((rsi14 - 50.0) / 25.0))
    if return20_pct is not None:
        parts.append(_clip(return20_pct / 10.0))
    value = round(sum(parts) / len(parts), 4) if parts else None
    return Component("momentum", value, WEIGHTS["momentum"], inputs)


def compute_news(sentiments: Sequence[tuple[float, float]]) -> Component:
    """Weighted mean sentiment of (score, weight) pairs, shrunk toward 0 when items are few."""
    total_weight = sum(w for _, w in sentiments)
    n = len(sentiments)
    inputs: dict[str, float | None] = {"items": float(n)}
    if n == 0 or total_weight <= 0:
        return Component("news", None, WEIGHTS["news"], inputs)
    mean = sum(s * w for s, w in sentiments) / total_weight
    inputs["mean_sentiment"] = round(mean, 4)
    return Component("news", round(_clip(mean * n / (n + NEWS_SHRINK)), 4), WEIGHTS["news"], inputs)


def compute_relative_strength(
    return20_pct: float | None, benchmark_return20_pct: float | None
) -> Component:
    """20-day return minus the benchmark's (10 points = full)."""
    inputs = {"return20_pct": return20_pct, "benchmark_return20_pct": benchmark_return20_pct}
    if return20_pct is None or benchmark_return20_pct is None:
        return Component("relative_strength", None, WEIGHTS["relative_strength"], inputs)
    value = _clip((return20_pct - benchmark_return20_pct) / 10.0)
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
