"""Grades: hit rates, IC, deciles and level hold rates beside baselines, with block intervals."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np

from tapewire.scorecard.grades import Graded, grade, ranks, spearman
from tapewire.scorecard.outcomes import NamedLevel, PathBar, measure


def _call(day: date, symbol: str, pulse: float, excess5: float, r20: float) -> Graded:
    direction = "Bullish" if pulse >= 60 else "Bearish" if pulse <= 40 else "Neutral"
    return Graded(
        key=f"t:{symbol}:{day}",
        kind="backtest",
        symbol=symbol,
        asset_class="ETFs",
        trigger="backtest",
        entry_date=day,
        direction=direction,
        pulse=pulse,
        threat=1,
        risk="Low",
        components={
            "trend": (pulse - 50) / 50,
            "momentum": 0.0,
            "relative_strength": 0.0,
            "news": None,
        },
        return20_pct=r20,
        atr_pct=1.0,
        vol_before=15.0,
        measured={
            "excess": {"1": excess5, "5": excess5, "20": excess5},
            "realized_vol20_pct": 15.0,
            "levels": [],
        },
        levels=[],
    )


def _calls(signal: float, days: int = 300) -> list[Graded]:
    rng = random.Random(7)  # noqa: S311 (seeded test data)
    out = []
    day = date(2015, 1, 1)
    for _ in range(days):
        day += timedelta(days=1)
        for symbol in ("A", "B", "C"):
            pulse = rng.uniform(10, 90)
            noise = rng.gauss(0, 1)
            out.append(
                _call(day, symbol, pulse, signal * (pulse - 50) / 20 + noise, rng.gauss(0, 3))
            )
    return out


def test_ranks_share_ties_and_spearman_matches_pearson_of_ranks() -> None:
    assert ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [2.5, 0.0, 2.5, 1.0]
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert spearman(a, a**3) == 1.0
    assert spearman(a, -a) == -1.0


def test_a_pulse_that_predicts_beats_its_baselines_and_one_that_does_not_is_told_so() -> None:
    good = grade(_calls(1.0), reps=60, group_reps=20)
    ic = good.ic["5"]["pulse"]
    assert float(str(ic["value"])) > 0.5 and float(str(ic["low"])) > 0.4
    base = good.ic["5"]["momentum_return20"]["value"]
    assert isinstance(base, float) and abs(base) < 0.15  # no skill in an unrelated number
    hit, bull = good.hit["5"]["pulse"]["value"], good.hit["5"]["always_bullish"]["value"]
    assert isinstance(hit, float) and isinstance(bull, float) and hit > bull + 0.1
    first, last = good.deciles[0]["mean_excess_pct"], good.deciles[-1]["mean_excess_pct"]
    assert isinstance(first, dict) and isinstance(last, dict)
    assert float(str(first["value"])) < -1.0 < 1.0 < float(str(last["value"]))  # calibration
    assert good.verdict.startswith("Pulse as published beats its baselines out of sample")
    assert {g["label"] for g in good.groups["instrument"]} == {"A", "B", "C"}
    noise = grade(_calls(0.0), reps=60, group_reps=20)
    low = noise.ic["5"]["pulse"]["low"]
    assert isinstance(low, float) and low < 0.0
    assert noise.verdict.startswith("Pulse as published does not beat its baselines")
    assert "not a forecast" in noise.verdict
    for card in (good, noise):  # plain words for a reader: no dict, no identifier
        assert not any(ch in card.verdict for ch in "{}_'"), card.verdict
        assert "the sign of the 20-day return" in card.verdict or "20-day return" in card.verdict
        assert "momentum " in card.verdict and "relative strength " in card.verdict


def test_outcome_of_a_bullish_call_from_its_path() -> None:
    day = date(2024, 1, 1)
    path = [
        PathBar(day + timedelta(days=k + 1), 100 + k + 1.5, 100 + k - 3.0, 100.0 + k + 1)
        for k in range(25)
    ]
    m = measure(
        direction="Bullish",
        entry_close=100.0,
        entry_date=day,
        path=path,
        levels=[NamedLevel("support", 99.0, "below"), NamedLevel("round", 105.0, "above")],
        benchmark=[(day, 50.0), (path[4].bar_date, 51.0), (path[19].bar_date, 50.0)],
    )
    assert {h: round(r or 0.0, 9) for h, r in m.returns.items()} == {1: 1.0, 5: 5.0, 20: 20.0}
    assert m.excess[5] is not None and abs(m.excess[5] - 3.0) < 1e-9  # 5 % minus the bench's 2 %
    assert m.excess[20] is not None and abs(m.excess[20] - 20.0) < 1e-9  # the bench is flat
    assert m.max_adverse_pct is not None and abs(m.max_adverse_pct - 3.0) < 1e-9  # first low 97
    assert m.complete and m.sessions == 20
    support, resistance = m.levels
    assert support["held5"] is True and support["held20"] is True
    assert resistance["held5"] is True  # the fifth close is 105: at the level, not above it
    assert resistance["held20"] is False  # the sixth close, 106, broke it
    assert m.realized_vol20_pct is not None and m.realized_vol20_pct > 0


def test_a_short_history_claims_no_interval_and_no_out_of_sample_edge() -> None:
    """A month of calls (20 sessions) resampled in blocks of 20 dates was one block: every
    replicate was the sample, and the page printed "90% interval 0.355 to 0.355" and counted a
    walk-forward over a few days as an edge. Now: shorter blocks, no interval under 10 dates, no
    walk-forward under 60 dates a side."""
    month = grade(_calls(1.0, days=20), reps=60, walk=False)
    ic = month.ic["5"]["pulse"]
    low, high = ic["low"], ic["high"]
    assert isinstance(low, float) and isinstance(high, float) and low < high  # a real interval
    assert "out of sample" not in month.verdict and month.walk_forward == {}
    assert month.verdict.startswith("60 calls from 2015-01-02 to 2015-01-21: 5-session hit rate")
    assert "90% interval" in month.verdict and "One period is not a test of Pulse" in month.verdict
    week = grade(_calls(1.0, days=6), reps=60)
    assert week.ic["5"]["pulse"]["low"] is None and week.ic["5"]["pulse"]["high"] is None
    assert week.verdict.startswith("Not enough history for an out-of-sample test yet: ")
    quarter = grade(_calls(1.0, days=100), reps=60)  # 50 dates a side: still too few
    assert "an out-of-sample test needs 60 on each side" in quarter.verdict, quarter.verdict


def test_a_yields_worst_call_is_given_in_basis_points() -> None:
    """The worst calls read "^TNX Bearish +4.6%", a percentage of the yield: a Bearish call on a
    4.00% yield that rose to 4.18% is +18 bp against it."""
    from dataclasses import replace

    from tapewire.scorecard.grades import Columns, worst_calls

    day = date(2024, 3, 1)
    tnx = replace(
        _call(day, "^TNX", 20.0, 4.5, -1.0),
        asset_class="Rates",
        entry_close=4.0,
        measured={"excess": {"20": 4.5}, "returns": {"20": 4.5}, "levels": []},
    )
    spy = replace(_call(day, "SPY", 80.0, -3.0, 1.0), entry_close=500.0)
    worst = {w["symbol"]: w for w in worst_calls(Columns([tnx, spy]))}
    assert worst["^TNX"]["move20_bp"] == 18.0
    assert worst["SPY"]["move20_bp"] is None and worst["SPY"]["excess20_pct"] == -3.0
