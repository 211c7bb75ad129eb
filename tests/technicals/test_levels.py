"""Key levels over hand-built bars with known pivots, and properties over random walks: zones,
touches, last touch, round-number scale, the recent range, evidence, and no look-ahead."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tapewire.market.queries import BarView
from tapewire.technicals.compute import compute_snapshot
from tapewire.technicals.indicators import compute_atr
from tapewire.technicals.levels import (
    DEFAULT_PARAMS,
    Level,
    LevelBar,
    LevelParams,
    count_tests,
    find_levels,
    find_round_step,
)

START = date(2025, 1, 6)
HALF_RANGE = 0.3  # each hand-built bar spans close ± this


def path(*legs: tuple[float, int]) -> list[float]:
    """Closes along straight legs: (target, bars to get there) from the first target."""
    closes = [legs[0][0]]
    for target, n in legs[1:]:
        start = closes[-1]
        closes += [start + (target - start) * (i + 1) / n for i in range(n)]
    return closes


def _double_bottom() -> list[float]:
    return path((130, 0), (100, 30), (115, 25), (100.1, 25), (108, 25))


def bars_of(closes: list[float], *, half_range: float = HALF_RANGE) -> list[LevelBar]:
    return [
        LevelBar(START + timedelta(days=i), c + half_range, c - half_range, c)
        for i, c in enumerate(closes)
    ]


def atr_of(bars: list[LevelBar]) -> float:
    high, low, close = (np.array([getattr(b, f) for b in bars]) for f in ("high", "low", "close"))
    return float(compute_atr(high, low, close, 14)[-1])


def levels_of(bars: list[LevelBar], **kw: float | None) -> list[Level]:
    return find_levels(bars, atr=atr_of(bars), sma50=kw.get("sma50"), sma200=kw.get("sma200"))


DOUBLE_BOTTOM = _double_bottom()


def test_a_double_bottom_is_one_support_with_two_touches_its_zone_and_last_touch() -> None:
    # 130 down to 100 (bar 30), up to 115 (bar 55), down to 100.1 (bar 80), up to 108 (bar 105)
    bars = bars_of(DOUBLE_BOTTOM, half_range=1.0)
    first, second = bars[30], bars[80]
    levels = levels_of(bars)
    supports = [lv for lv in levels if lv.kind == "support"]
    assert len(supports) == 1
    (support,) = supports
    assert support.touches == 2 and support.breaks == 0
    assert support.touch_dates == (first.bar_date, second.bar_date)
    assert support.last_touch_date == second.bar_date
    assert support.price == pytest.approx((first.low + second.low) / 2)
    assert support.zone_low is not None and support.zone_high is not None
    assert support.zone_low <= first.low <= support.zone_high
    assert support.zone_low <= second.low <= support.zone_high
    assert support.zone_high - support.zone_low < 0.5 * atr_of(bars)  # a zone, not a region
    assert f"swing lows on {first.bar_date}, {second.bar_date} within" in support.evidence
    assert "held twice" in support.evidence
    resistance = [lv for lv in levels if lv.kind == "resistance"]
    assert [lv.touch_dates for lv in resistance] == [(bars[55].bar_date,)]  # the peak between


def test_a_break_is_counted_against_a_zone_and_a_retest_from_below_holds() -> None:
    # support near 100 held at bars 20 and 40, broken at bar 56, retested from below at bar 76
    closes = path((120, 0), (100, 20), (110, 10), (100, 10), (108, 8), (90, 18), (100, 10), (92, 8))
    bars = bars_of(closes)
    high = np.array([b.high for b in bars])
    low = np.array([b.low for b in bars])
    zone = (np.array([bars[20].low - 0.2]), np.array([bars[20].low + 0.2]))
    params = LevelParams(half_life_bars=30.0, break_penalty=0.5)
    tests = count_tests(high, low, *zone, params)
    assert tests.touch_index[0] == (20, 40, 76)
    assert tests.touches[0] == 3 and tests.breaks[0] == 1  # the fall through it at bar 56
    weights = [0.5 ** ((len(bars) - 1 - i) / 30.0) for i in (20, 40, 76)]
    broken = 0.5 ** ((len(bars) - 1 - 56) / 30.0)
    assert tests.score[0] == pytest.approx(sum(weights) - 0.5 * broken)


def test_a_test_still_under_way_at_the_last_bar_is_not_counted_yet() -> None:
    closes = path((120, 0), (100, 20), (110, 10), (100, 10))  # the last bar sits in the zone
    bars = bars_of(closes)
    high = np.array([b.high for b in bars])
    low = np.array([b.low for b in bars])
    tests = count_tests(high, low, np.array([99.5]), np.array([99.9]))
    assert tests.touch_index[0] == (20,) and tests.breaks[0] == 0


@pytest.mark.parametrize(
    ("price", "atr", "step"),
    [
        (6939.03, 64.85, 100.0),  # S&P 500 in Jan 2026: 1.5 ATR = 97 -> 100
        (2613.74, 37.08, 100.0),  # Russell 2000: 1.5 ATR = 56 -> 100
        (49_000.0, 600.0, 1000.0),  # Dow: 900 -> 1,000
        (45.30, 0.90, 2.5),  # a $45 stock: 1.35 -> 2.5
        (1.0850, 0.0060, 0.01),  # EUR/USD: 0.009 -> 0.01
        (250.0, 2.0, 5.0),  # 3 -> 5
    ],
)
def test_round_numbers_are_scaled_by_atr_and_price(price: float, atr: float, step: float) -> None:
    assert find_round_step(price=price, atr=atr) == pytest.approx(step)


def test_round_numbers_nearest_above_and_below_with_touches_as_evidence() -> None:
    # 100 held from below (bar 9), broken upwards, then held from above twice; close 101.2
    legs = ((97, 0), (99.9, 9), (97.5, 8), (103, 15), (100.15, 9), (103.5, 10), (100.1, 10))
    bars = bars_of(path(*legs, (101.2, 4)), half_range=0.4)
    atr = atr_of(bars)
    step = find_round_step(price=bars[-1].close, atr=atr)
    assert step == 2.5 and step >= 1.5 * atr  # ATR 0.8: 1.2 -> 2.5
    rounds = {lv.price: lv for lv in levels_of(bars) if lv.kind == "round"}
    assert sorted(rounds) == [100.0, 102.5]  # the nearest multiples below and above the close
    hundred = rounds[100.0]
    half = DEFAULT_PARAMS.min_zone_atr * atr / 2
    assert (hundred.zone_low, hundred.zone_high) == pytest.approx((100 - half, 100 + half))
    assert hundred.touches == 3 and hundred.breaks == 1
    in_zone = [i for i, b in enumerate(bars) if b.low <= 100 + half and b.high >= 100 - half]
    assert hundred.last_touch_date == bars[in_zone[-1]].bar_date  # the last bar that traded there
    assert "multiple of 2.5" in hundred.evidence and "held 3 times" in hundred.evidence


def test_a_round_number_never_tested_is_not_emitted() -> None:
    # a steady climb from 90 to 110.5: 110 was crossed (a break, not a touch), 111 never reached
    bars = bars_of(path((90, 0), (110.5, 70)))
    atr = atr_of(bars)
    assert find_round_step(price=bars[-1].close, atr=atr) == 1.0
    levels = levels_of(bars)
    assert levels and "round" not in {lv.kind for lv in levels}
    high = np.array([b.high for b in bars])
    low = np.array([b.low for b in bars])
    half = DEFAULT_PARAMS.min_zone_atr * atr / 2
    tests = count_tests(
        high, low, np.array([110 - half, 111 - half]), np.array([110 + half, 111 + half])
    )
    assert tests.touches.tolist() == [0, 0] and tests.breaks.tolist() == [1, 0]


def test_nothing_is_emitted_beyond_the_recent_range() -> None:
    # a crash from 200 to 100 long ago, then half a year of a 96-104 range
    old = path((150, 0), (200, 40), (170, 20), (200, 20), (100, 40))
    rng = np.random.default_rng(7)
    recent = [100 + 3 * np.sin(i / 6) + rng.normal(0, 0.3) for i in range(120)]
    bars = bars_of(old + recent, half_range=1.0)
    atr = atr_of(bars)
    levels = find_levels(bars, atr=atr, sma50=100.0, sma200=140.0)
    lo = min(b.low for b in bars[-DEFAULT_PARAMS.range_bars :]) - DEFAULT_PARAMS.range_pad_atr * atr
    hi = (
        max(b.high for b in bars[-DEFAULT_PARAMS.range_bars :]) + DEFAULT_PARAMS.range_pad_atr * atr
    )
    assert levels and all(lo <= lv.price <= hi for lv in levels)
    assert "sma200" not in {lv.kind for lv in levels}  # 140: far above the range
    assert "high52" not in {lv.kind for lv in levels}  # 200, a year ago
    assert {"support", "resistance", "sma50"} <= {lv.kind for lv in levels}


def test_every_level_has_evidence_a_reader_can_check() -> None:
    bars = bars_of(DOUBLE_BOTTOM, half_range=1.0)
    days = {b.bar_date for b in bars}
    for lv in levels_of(bars, sma50=108.0):
        assert lv.evidence
        if lv.kind in ("support", "resistance", "round"):
            assert lv.touches >= 1 and len(lv.touch_dates) == lv.touches
            assert set(lv.touch_dates) <= days and lv.last_touch_date == lv.touch_dates[-1]
            assert lv.zone_low is not None and lv.zone_high is not None
            assert lv.zone_low <= lv.price <= lv.zone_high
            assert lv.score is not None and lv.score > 0


def test_too_little_history_or_no_atr_gives_no_levels() -> None:
    bars = bars_of(path((100, 0), (110, 8)))
    assert find_levels(bars, atr=1.0, sma50=None, sma200=None) == []
    assert find_levels(bars_of(path((100, 0), (110, 40))), atr=0.0, sma50=None, sma200=None) == []


# ---------------------------------------------------------------- properties over random walks


@st.composite
def walks(draw: st.DrawFn) -> list[LevelBar]:
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(40, 320))
    rng = np.random.default_rng(seed)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.012, n)))
    spans = np.abs(rng.normal(0, 0.008, n)) * closes
    return [
        LevelBar(START + timedelta(days=i), float(c + s), float(c - s), float(c))
        for i, (c, s) in enumerate(zip(closes, spans, strict=True))
    ]


@settings(max_examples=60, deadline=None)
@given(walks())
def test_levels_are_ordered_in_range_and_evidenced_on_any_walk(bars: list[LevelBar]) -> None:
    atr = atr_of(bars)
    close = bars[-1].close
    levels = find_levels(bars, atr=atr, sma50=None, sma200=None)
    window = bars[-DEFAULT_PARAMS.range_bars :]
    lo = min(b.low for b in window) - DEFAULT_PARAMS.range_pad_atr * atr
    hi = max(b.high for b in window) + DEFAULT_PARAMS.range_pad_atr * atr
    zones: list[tuple[float, float]] = []
    for lv in levels:
        assert (
            lo <= lv.price <= hi and abs(lv.price - close) <= DEFAULT_PARAMS.max_distance_atr * atr
        )
        assert lv.evidence
        assert lv.kind != "support" or lv.price < close
        assert lv.kind != "resistance" or lv.price > close
        if lv.kind in ("support", "resistance"):
            assert lv.touches >= 1 and lv.last_touch_date is not None
            assert lv.last_touch_date <= bars[-1].bar_date
            assert lv.zone_low is not None and lv.zone_high is not None
            zones.append((lv.zone_low, lv.zone_high))
    zones.sort()
    assert all(a[1] < b[0] for a, b in itertools.pairwise(zones))  # no overlaps


@settings(max_examples=40, deadline=None)
@given(walks(), st.integers(1, 30))
def test_a_poisoned_bar_after_the_last_one_given_changes_nothing(
    bars: list[LevelBar], cut: int
) -> None:
    views = [BarView(b.bar_date, b.close, b.high, b.low, b.close, 1.0) for b in bars]
    k = max(30, len(views) - cut)
    before = compute_snapshot(views[:k])
    day = views[k - 1].bar_date + timedelta(days=1)
    poisoned = [*views[:k], BarView(day, 1e6, 2e6, 1e-3, 1e6, 1.0), *views[k:]]
    assert compute_snapshot(poisoned[:k]) == before  # a separate series, cut at the same bar
    if before is not None:
        assert compute_snapshot(poisoned[: k + 1]) != before  # the canary is live
