"""Pulse, Heat, Risk and Threat as pure functions: each documented rule, determinism, and that
Direction and Threat follow from their inputs alone."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from tapewire.signals.compute import SignalInputs, compute_signals
from tapewire.signals.pulse import (
    NEWS_SHRINK,
    NewsInput,
    compute_momentum,
    compute_news,
    compute_pulse,
    compute_relative_strength,
    compute_trend,
    direction_of,
)
from tapewire.signals.risk import compute_risk, vix_regime_of
from tapewire.signals.threat import compute_threat

AS_OF = datetime(2026, 2, 2, tzinfo=UTC)


def news(
    hours_ago: float,
    sentiment: float,
    *,
    publisher: str = "a.example",
    story: int | None = None,
    relevance: float = 1.0,
) -> NewsInput:
    return NewsInput(AS_OF - timedelta(hours=hours_ago), publisher, sentiment, relevance, story)


def test_news_is_shrunk_toward_zero_when_stories_are_few() -> None:
    one = compute_news([news(1, 1.0)], as_of=AS_OF)
    assert one.value == pytest.approx(1.0 * 1 / (1 + NEWS_SHRINK))
    many = compute_news([news(1, 1.0, story=i) for i in range(9)], as_of=AS_OF)
    assert many.value == pytest.approx(9 / (9 + NEWS_SHRINK))
    assert compute_news([], as_of=AS_OF).value is None


def test_news_recency_decay_halves_weight_per_day() -> None:
    """A fresh +1 and a day-old -1: weights 1 and 0.5, mean (1 - 0.5) / 1.5 = 1/3."""
    comp = compute_news([news(0, 1.0, story=1), news(24, -1.0, story=2)], as_of=AS_OF)
    assert comp.inputs["mean_sentiment"] == pytest.approx(1 / 3, abs=1e-4)


def test_one_story_at_many_outlets_counts_as_one_story_not_many_items() -> None:
    """Five outlets on one upbeat story against two separate downbeat stories."""
    items = [news(1, 1.0, publisher=f"o{i}.example", story=7) for i in range(5)]
    items += [news(1, -1.0, story=8), news(1, -1.0, story=9)]
    comp = compute_news(items, as_of=AS_OF)
    # story 7 weighs sqrt(5) in all, each other story 1: mean = (sqrt5 - 2) / (sqrt5 + 2)
    assert comp.inputs["stories"] == 3.0
    assert comp.inputs["mean_sentiment"] == pytest.approx((5**0.5 - 2) / (5**0.5 + 2), abs=1e-4)


def test_trend_momentum_and_relative_strength_rules() -> None:
    assert compute_trend(110.0, 100.0, None).value == 1.0  # 10 % above the 50-day: full
    assert compute_trend(95.0, 100.0, 100.0).value == pytest.approx(-0.25)
    slope = compute_trend(100.0, 100.0, 100.0, sma50_slope_pct=-5.0)
    assert slope.value == pytest.approx(-1 / 3, abs=1e-4)
    assert compute_trend(100.0, None, None).value is None
    assert compute_momentum(75.0, None).value == 1.0
    assert compute_momentum(50.0, 50.0, return20_z=-1.0).value == pytest.approx(-0.25)
    assert compute_momentum(None, 5.0).value == pytest.approx(0.5)
    assert compute_relative_strength(5.0, 1.0).value == pytest.approx(0.4)
    assert compute_relative_strength(5.0, 1.0, rs20_pct=-2.0).value == pytest.approx(-0.2)
    assert compute_relative_strength(None, 1.0).value is None


def test_direction_follows_pulse_alone_at_the_documented_bounds() -> None:
    assert [direction_of(s) for s in (40.0, 40.1, 59.9, 60.0)] == [
        "Bearish",
        "Neutral",
        "Neutral",
        "Bullish",
    ]
    pulse = compute_pulse([compute_trend(110.0, 100.0, 90.0)])
    assert pulse.direction == direction_of(pulse.score) == "Bullish"


@pytest.mark.parametrize(
    ("kwargs", "label", "points"),
    [
        ({"atr14": 1.0, "high52": 100.0}, "Low", 0),
        ({"atr14": 2.0, "high52": 100.0}, "Low", 1),  # ATR 2 % of price
        ({"atr14": 4.0, "high52": 120.0}, "High", 4),  # ATR 4 %, drawdown 16.7 %
        ({"atr14": 1.0, "high52": 100.0, "vol_pctile": 96.0}, "Medium", 2),
        ({"atr14": 1.0, "high52": 100.0, "vol_pctile": 85.0, "vix": 22.0}, "Medium", 2),
        ({"atr14": 2.0, "high52": 110.0, "vol_pctile": 85.0, "vix": 31.0}, "High", 5),
        ({"atr14": None, "high52": None}, "Low", 0),  # nothing known: no risk claimed
    ],
)
def test_risk_points_and_label(kwargs: dict[str, float | None], label: str, points: int) -> None:
    risk = compute_risk(close=100.0, **kwargs)
    assert (risk.label, risk.points) == (label, points)


def test_vix_regimes() -> None:
    assert [vix_regime_of(v) for v in (12.0, 15.0, 19.99, 20.0, 29.9, 30.0, 80.0)] == [
        "calm",
        "normal",
        "normal",
        "elevated",
        "elevated",
        "stressed",
        "stressed",
    ]


def test_threat_is_a_function_of_its_inputs_and_names_every_point() -> None:
    low = compute_threat(risk="Low", pulse=55.0, heat_label="Low", support_distance_atr=3.0)
    assert (low.level, low.reasons) == (1, ())
    worst = compute_threat(risk="High", pulse=20.0, heat_label="High", support_distance_atr=0.5)
    assert worst.level == 5 and len(worst.reasons) == 4
    mid = compute_threat(risk="Medium", pulse=38.0, heat_label="Medium", support_distance_atr=None)
    assert (mid.level, mid.reasons) == (3, ("risk Medium", "direction Bearish"))
    for risk, pulse, heat, dist in itertools.product(
        ("Low", "Medium", "High"), (10.0, 30.0, 50.0, 70.0), ("Low", "High"), (None, 0.5, 2.0)
    ):
        a = compute_threat(risk=risk, pulse=pulse, heat_label=heat, support_distance_atr=dist)
        b = compute_threat(risk=risk, pulse=pulse, heat_label=heat, support_distance_atr=dist)
        assert a == b and 1 <= a.level <= 5
        assert a.level == min(5, 1 + len(a.reasons) + (pulse <= 25) + (risk == "High"))


def test_compute_signals_uses_the_deeper_technicals_when_present() -> None:
    values: dict[str, float | None] = {
        "close": 100.0,
        "sma50": 98.0,
        "sma200": 95.0,
        "rsi14": 55.0,
        "atr14": 1.2,
        "return20_pct": 3.0,
        "high52": 104.0,
        "realized_vol_pctile": 97.0,
        "vix": 31.0,
        "rs20_pct": 2.5,
        "return20_z": 1.0,
    }
    sig = compute_signals(
        SignalInputs(values, (99.5,), (news(2, 0.5),), benchmark_return20_pct=0.5), as_of=AS_OF
    )
    comps = {c.name: c for c in sig.pulse.components}
    assert comps["relative_strength"].value == pytest.approx(0.25)  # from rs20_pct, not 3 - 0.5
    assert comps["momentum"].inputs["return20_z"] == 1.0
    assert sig.risk.vix_regime == "stressed" and sig.risk.label == "High"
    assert "nearest support within 1 ATR" in sig.threat.reasons  # 0.5 / 1.2 ATR away
    again = compute_signals(
        SignalInputs(values, (99.5,), (news(2, 0.5),), benchmark_return20_pct=0.5), as_of=AS_OF
    )
    assert again == sig
