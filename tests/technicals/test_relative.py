"""Relative strength and pair spread, breadth and the VIX regime: hand-checked small cases and
the real ^RUT/^GSPC, large-cap and ^VIX history."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from tapewire.market.providers import parse_csv_bars
from tapewire.technicals.relative import (
    BREADTH_MIN_MEMBERS,
    compute_breadth,
    compute_relative,
    compute_vol_regime,
)
from tests.conftest import shared_data

START = date(2026, 1, 1)


def days(n: int, start: date = START) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def test_relative_strength_is_the_ratio_change_over_20_common_sessions() -> None:
    a = [100.0 * 1.01**i for i in range(30)]  # +1 % a day
    b = [50.0] * 30  # flat
    rel = compute_relative(days(30), a, days(30), b)
    assert rel is not None and rel.sessions == 30
    assert rel.ratio == pytest.approx(a[-1] / 50.0)
    assert rel.rs20_pct == pytest.approx((1.01**20 - 1.0) * 100.0)
    assert rel.spread_z60 is None  # under 60 sessions: no z-score


def test_only_common_sessions_count_and_the_legs_must_end_together() -> None:
    a_days, b_days = days(40), days(40)
    del b_days[10]  # the benchmark did not trade one day: that day is left out of both legs
    a = [float(100 + i) for i in range(40)]
    b = [100.0] * 39
    rel = compute_relative(a_days, a, b_days, b)
    assert rel is not None and rel.sessions == 39
    assert rel.rs20_pct == pytest.approx((139 / 119 - 1.0) * 100.0)
    assert compute_relative(a_days, a, b_days[:-1], b[:-1]) is None  # legs end on other days


def test_spread_z_score_of_the_log_ratio() -> None:
    a = [100.0] * 59 + [110.0]
    b = [100.0] * 60
    rel = compute_relative(days(60), a, days(60), b)
    assert rel is not None and rel.spread_z60 is not None
    logs = [0.0] * 59 + [math.log(1.1)]
    mean = sum(logs) / 60
    std = math.sqrt(sum((x - mean) ** 2 for x in logs) / 60)
    assert rel.spread_z60 == pytest.approx((logs[-1] - mean) / std)


def member(n: int, last_up: bool) -> tuple[list[date], list[float]]:
    closes = [100.0] * (n - 1) + [101.0 if last_up else 99.0]
    return days(n), closes


def test_breadth_counts_members_above_their_50_day_average() -> None:
    members = [member(60, True)] * 3 + [member(60, False)] * 2 + [member(40, True)]  # short one
    breadth = compute_breadth(members)
    assert breadth is not None
    assert (breadth.members, breadth.above, breadth.pct_above) == (5, 3, 60.0)
    assert breadth.bar_date == START + timedelta(days=59)


def test_breadth_needs_enough_members_on_the_same_session() -> None:
    assert compute_breadth([member(60, True)] * (BREADTH_MIN_MEMBERS - 1)) is None
    lagging = [member(59, True)] * 2  # these two stopped a day early
    assert compute_breadth([member(60, True)] * 4 + lagging) is None
    assert compute_breadth([member(60, True)] * 5 + lagging) is not None


def test_vix_regime_level_and_one_year_percentile() -> None:
    closes = [float(10 + (i % 20)) for i in range(300)]  # 10..29 repeating
    regime = compute_vol_regime(days(300), closes)
    assert regime is not None and regime.vix == closes[-1]
    year = closes[-252:]
    assert regime.vix_pctile == pytest.approx(100.0 * sum(v <= closes[-1] for v in year) / 252)
    assert compute_vol_regime(days(10), closes[:10]) is not None
    assert compute_vol_regime(days(10), closes[:10]).vix_pctile is None  # type: ignore[union-attr]
    assert compute_vol_regime([], []) is None


def closes_of(*parts: str) -> tuple[list[date], list[float]]:
    bars = parse_csv_bars(shared_data(*parts).read_bytes()).bars
    cut = [b for b in bars if b.bar_date < date(2026, 2, 1)]
    return [b.bar_date for b in cut], [b.close for b in cut]


def test_real_russell_against_the_sp500_as_of_2026_02_01() -> None:
    """Checked by hand from the two CSV files: closes 2026-01-30 and 20 sessions before."""
    rut_d, rut = closes_of("prices", "yahoo_long_to_2026-02", "^RUT.csv")
    spx_d, spx = closes_of("prices", "merged_index_series", "^GSPC.csv")
    rel = compute_relative(rut_d, rut, spx_d, spx)
    assert rel is not None and rut_d[-1] == spx_d[-1] == date(2026, 1, 30)
    common = sorted(set(rut_d) & set(spx_d))
    r, s = dict(zip(rut_d, rut, strict=True)), dict(zip(spx_d, spx, strict=True))
    then, now = common[-21], common[-1]
    expected = ((r[now] / s[now]) / (r[then] / s[then]) - 1.0) * 100.0
    assert rel.rs20_pct == pytest.approx(expected)
    assert rel.rs20_pct is not None and 0.0 < rel.rs20_pct < 10.0  # small caps led in January
    assert rel.spread_z60 is not None and -4.0 < rel.spread_z60 < 4.0


def test_real_breadth_of_fifteen_large_caps_and_the_vix() -> None:
    names = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "BA", "CVX"]
    names += ["GS", "JNJ", "PFE", "WMT", "XOM"]
    members = [
        closes_of("prices", "daily_2015_to_2026-02-27_normalized", f"{n}.csv") for n in names
    ]
    breadth = compute_breadth(members)
    assert breadth is not None and breadth.members == 15
    assert breadth.bar_date == date(2026, 1, 30)
    by_hand = sum(c[-1] > sum(c[-50:]) / 50 for _, c in members)
    assert breadth.above == by_hand
    vix_d, vix = closes_of("prices", "merged_index_series", "^VIX.csv")
    regime = compute_vol_regime(vix_d, vix)
    assert regime is not None and regime.bar_date == date(2026, 1, 30)
    assert 10.0 < regime.vix < 40.0 and regime.vix_pctile is not None


def test_the_snapshot_carries_the_50_day_averages_slope() -> None:
    from tapewire.market.queries import BarView
    from tapewire.technicals.compute import compute_snapshot

    closes = [100.0 + i for i in range(80)]
    bars = [
        BarView(START + timedelta(days=i), c, c + 1, c - 1, c, 1.0) for i, c in enumerate(closes)
    ]
    snap = compute_snapshot(bars)
    assert snap is not None
    now, then = sum(closes[-50:]) / 50, sum(closes[-70:-20]) / 50
    assert snap.values["sma50_slope_pct"] == pytest.approx((now / then - 1) * 100)
    short = compute_snapshot(bars[:60])
    assert short is not None and short.values["sma50_slope_pct"] is None
