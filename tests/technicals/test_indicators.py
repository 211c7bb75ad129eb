"""Indicators against TA-Lib on real series and edge cases; hand-checked cases for the measures
TA-Lib lacks (volatility percentile, drawdown, return z); the batched indicator set against the
single-series functions; the snapshot's names.

Agreement criterion everywhere: |ours - TA-Lib| <= 1e-7 * max(1, |TA-Lib|), i.e. absolute
1e-7 for values below 1 (RSI's fractions of a point, MACD on FX) and relative 1e-7 above
(prices of thousands), and the same NaN positions.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tapewire.market.providers import parse_csv_bars
from tapewire.market.queries import BarView
from tapewire.technicals.compute import compute_snapshot
from tapewire.technicals.indicator_set import ALL_NAMES, TALIB_NAMES, compute_indicator_set
from tapewire.technicals.indicators import (
    FloatArray,
    compute_atr,
    compute_bbands,
    compute_ema,
    compute_macd,
    compute_returns,
    compute_rsi,
    compute_sma,
)
from tapewire.technicals.volatility import (
    compute_drawdown,
    compute_realized_vol,
    compute_return_z,
    compute_vol_percentile,
)
from tapewire.technicals.windows import compute_rolling_rank
from tests.conftest import shared_data

TOL = 1e-7
REAL_SERIES = (  # index, small caps, FX (two layouts), a volatility index with flat bars, a stock
    ("merged_index_series", "^GSPC.csv"),
    ("yahoo_long_to_2026-02", "^RUT.csv"),
    ("yahoo_long_to_2026-02", "EURUSD=X.csv"),
    ("fx_mt4_format", "EURUSD_D1.csv"),
    ("yahoo_long_to_2026-02", "^VIX.csv"),
    ("daily_2015_to_2026-02-27_normalized", "TSLA.csv"),
)


def talib_module() -> Any:
    return pytest.importorskip("talib", reason="TA-Lib (dev extra ta-lib) not installed")


def assert_agrees(ours: FloatArray, theirs: FloatArray, what: str) -> None:
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, what
    nan_ours, nan_theirs = np.isnan(ours), np.isnan(theirs)
    assert np.array_equal(nan_ours, nan_theirs), (
        f"{what}: NaN at {np.flatnonzero(nan_ours != nan_theirs)[:5]}"
    )
    both = ~nan_theirs
    err = np.abs(ours[both] - theirs[both]) / np.maximum(1.0, np.abs(theirs[both]))
    assert err.size == 0 or err.max() <= TOL, f"{what}: worst {err.max():.2e} at {err.argmax()}"


def ohlc(folder: str, name: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    parsed = parse_csv_bars(shared_data("prices", folder, name).read_bytes())
    bars = parsed.bars[:-1] if parsed.partial_last else parsed.bars  # completed bars only
    high = np.array([b.high for b in bars], dtype=np.float64)
    low = np.array([b.low for b in bars], dtype=np.float64)
    return high, low, np.array([b.close for b in bars], dtype=np.float64)


def talib_reference(high: FloatArray, low: FloatArray, close: FloatArray) -> dict[str, FloatArray]:
    """TA-Lib's numbers for every series it has, under the indicator set's names."""
    ta = talib_module()
    macd, signal, hist = ta.MACD(close, 12, 26, 9)
    upper, middle, lower = ta.BBANDS(close, 20, 2.0, 2.0, 0)
    return {
        "sma50": ta.SMA(close, 50),
        "sma200": ta.SMA(close, 200),
        "ema20": ta.EMA(close, 20),
        "rsi14": ta.RSI(close, 14),
        "macd": macd,
        "macd_signal": signal,
        "macd_hist": hist,
        "atr14": ta.ATR(high, low, close, 14),
        "bb_upper": upper,
        "bb_middle": middle,
        "bb_lower": lower,
    }


def talib_built(high: FloatArray, close: FloatArray) -> dict[str, FloatArray]:
    """The measures TA-Lib has no function for, built from TA-Lib parts where they exist."""
    ta = talib_module()
    log_ret = np.concatenate([[np.nan], np.log(close[1:] / close[:-1])])
    ret20 = ta.ROCR(close, 20) - 1.0
    return {
        "realized_vol20_pct": ta.STDDEV(log_ret, 20, 1.0) * math.sqrt(252) * 100.0,
        "return20_pct": ret20 * 100.0,
        "return60_pct": (ta.ROCR(close, 60) - 1.0) * 100.0,
        "drawdown_pct": (1.0 - close / ta.MAX(high, 252)) * 100.0,
        "return20_z": ret20 / ta.STDDEV(ret20, 252, 1.0),
    }


# --- TA-Lib agreement on real series ---------------------------------------------------------


@pytest.mark.parametrize(("folder", "name"), REAL_SERIES, ids=[n for _, n in REAL_SERIES])
def test_single_series_functions_agree_with_talib_on_real_prices(folder: str, name: str) -> None:
    high, low, close = ohlc(folder, name)
    ref = talib_reference(high, low, close)
    macd = compute_macd(close)
    bands = compute_bbands(close)
    ours = {
        "sma50": compute_sma(close, 50),
        "sma200": compute_sma(close, 200),
        "ema20": compute_ema(close, 20),
        "rsi14": compute_rsi(close, 14),
        "macd": macd.macd,
        "macd_signal": macd.signal,
        "macd_hist": macd.hist,
        "atr14": compute_atr(high, low, close, 14),
        "bb_upper": bands.upper,
        "bb_middle": bands.middle,
        "bb_lower": bands.lower,
    }
    for key, series in ours.items():
        assert_agrees(series, ref[key], f"{name} {key}")


@pytest.mark.parametrize(("folder", "name"), REAL_SERIES, ids=[n for _, n in REAL_SERIES])
def test_other_measures_agree_with_talib_parts_on_real_prices(folder: str, name: str) -> None:
    high, _, close = ohlc(folder, name)
    built = talib_built(high, close)
    assert_agrees(compute_realized_vol(close), built["realized_vol20_pct"], f"{name} vol")
    assert_agrees(compute_returns(close, 20) * 100.0, built["return20_pct"], f"{name} ret20")
    assert_agrees(compute_drawdown(high, close), built["drawdown_pct"], f"{name} drawdown")
    assert_agrees(compute_return_z(close), built["return20_z"], f"{name} z")


@pytest.mark.parametrize("block", [None, 8])
def test_batched_set_agrees_with_talib_on_real_prices_of_different_lengths(
    block: int | None,
) -> None:
    """Several real series in one (instruments, bars) batch, shorter ones NaN-padded in front
    (ragged starts), through the block-walked indicator set (one long block, or blocks of 8
    bars as a wide batch gets); each row against TA-Lib."""
    series = [ohlc(folder, name) for folder, name in REAL_SERIES]
    n_bars = max(len(c) for _, _, c in series)
    batch = np.full((3, len(series), n_bars), np.nan)
    for j, arrays in enumerate(series):
        for k, arr in enumerate(arrays):
            batch[k, j, n_bars - len(arr) :] = arr
    for tail in (None, 300):
        out = compute_indicator_set(batch[0], batch[1], batch[2], tail=tail, block=block)
        for j, (high, low, close) in enumerate(series):
            ref = talib_reference(high, low, close) | talib_built(high, close)
            for key, theirs in ref.items():
                want = theirs if tail is None else theirs[-tail:]
                got = out[key][j, n_bars - len(close) :] if tail is None else out[key][j]
                assert_agrees(got, want, f"{REAL_SERIES[j][1]} {key} tail={tail}")


# --- edge cases against TA-Lib ---------------------------------------------------------------


def simulated(n: int, seed: int = 7) -> tuple[FloatArray, FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, n)))
    high = close * (1.0 + rng.uniform(0.0, 0.01, n))
    low = close * (1.0 - rng.uniform(0.0, 0.01, n))
    return high, low, close


@pytest.mark.parametrize("n", [0, 1, 2, 13, 14, 15, 19, 20, 25, 26, 33, 34, 35, 49, 50, 199, 200])
def test_too_short_input_is_nan_exactly_where_talib_is(n: int) -> None:
    high, low, close = simulated(n)
    ref = talib_reference(high, low, close)
    out = compute_indicator_set(high, low, close, names=TALIB_NAMES)
    for key in TALIB_NAMES:
        assert_agrees(out[key], ref[key], f"n={n} {key}")


def test_flat_prices_follow_talib_where_it_divides_by_zero() -> None:
    """No movement: TA-Lib's RSI reads 0 (not 50), ATR 0, bands collapse onto the SMA."""
    flat = np.full(300, 5000.37)
    ref = talib_reference(flat, flat, flat)
    out = compute_indicator_set(flat, flat, flat)
    for key in TALIB_NAMES:
        assert_agrees(out[key], ref[key], f"flat {key}")
    assert out["rsi14"][-1] == 0.0 and out["atr14"][-1] == 0.0
    assert out["bb_upper"][-1] == out["bb_lower"][-1] == pytest.approx(5000.37, abs=1e-9)
    assert out["realized_vol20_pct"][-1] == 0.0 and out["drawdown_pct"][-1] == 0.0
    assert out["realized_vol_pctile"][-1] == 100.0  # every value equals today's
    assert np.isnan(out["return20_z"][-1])  # no spread of returns: no z


def test_leading_nans_are_skipped_as_talib_does() -> None:
    high, low, close = simulated(400)
    for arr in (high, low, close):
        arr[:11] = np.nan
    ref = talib_reference(high, low, close)
    out = compute_indicator_set(high, low, close, names=TALIB_NAMES)
    for key in TALIB_NAMES:
        assert_agrees(out[key], ref[key], f"leading NaN {key}")


def test_a_gap_inside_the_series_makes_running_measures_nan_from_there_on() -> None:
    """A missing close poisons every running sum and average from there on (the next true
    range needs it, hence 301), never a value before it; a return is missing only where one of
    its two closes is."""
    high, low, close = simulated(400)
    close[300] = np.nan
    out = compute_indicator_set(high, low, close)
    running = set(TALIB_NAMES) | {"realized_vol20_pct", "return20_z"}
    for key in running:
        assert not np.isnan(out[key][299]), key
        assert np.isnan(out[key][301:]).all(), key
    gaps = np.flatnonzero(np.isnan(out["return20_pct"][20:])) + 20
    np.testing.assert_array_equal(gaps, [300, 320])


def test_one_series_and_a_batch_give_the_same_numbers() -> None:
    rows = [simulated(500, seed) for seed in range(4)]
    high, low, close = (np.stack([r[k] for r in rows]) for k in range(3))
    for order in ("C", "F"):
        batch = compute_indicator_set(
            np.asarray(high, order=order), np.asarray(low, order=order), close.copy(order=order)
        )
        for j, (h, lo, c) in enumerate(rows):
            single = compute_indicator_set(h, lo, c)
            for key in ALL_NAMES:
                np.testing.assert_allclose(batch[key][j], single[key], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("block", [None, 8, 5, 1000])
def test_block_walked_set_equals_the_plain_functions_with_ragged_starts(block: int | None) -> None:
    high, low, close = (
        np.stack(a) for a in zip(*(simulated(700, s) for s in range(7)), strict=True)
    )
    for j, start in enumerate([0, 3, 17, 40, 300, 650, 700]):
        for arr in (high, low, close):
            arr[j, :start] = np.nan
    macd, bands = compute_macd(close), compute_bbands(close)
    plain = {
        "sma50": compute_sma(close, 50),
        "sma200": compute_sma(close, 200),
        "ema20": compute_ema(close, 20),
        "rsi14": compute_rsi(close),
        "macd": macd.macd,
        "macd_signal": macd.signal,
        "macd_hist": macd.hist,
        "atr14": compute_atr(high, low, close),
        "bb_upper": bands.upper,
        "bb_middle": bands.middle,
        "bb_lower": bands.lower,
        "return20_pct": compute_returns(close, 20) * 100.0,
        "return60_pct": compute_returns(close, 60) * 100.0,
        "realized_vol20_pct": compute_realized_vol(close),
        "realized_vol_pctile": compute_vol_percentile(close),
        "drawdown_pct": compute_drawdown(high, close),
        "return20_z": compute_return_z(close),
    }
    for tail in (None, 1, 37):
        out = compute_indicator_set(high, low, close, tail=tail, block=block)
        for key in ALL_NAMES:
            want = plain[key] if tail is None else plain[key][:, -tail:]
            assert_agrees(out[key], want, f"{key} tail={tail}")


def test_unknown_names_and_bad_periods_are_refused() -> None:
    _, _, close = simulated(50)
    with pytest.raises(ValueError, match="unknown indicator"):
        compute_indicator_set(close, close, close, names=["sma50", "vwap"])
    with pytest.raises(ValueError, match="period"):
        compute_sma(close, 0)
    with pytest.raises(ValueError, match="period"):
        compute_rsi(close, 1)


# --- hand-checked: what TA-Lib lacks ---------------------------------------------------------


def test_rolling_rank_counts_values_at_or_below_today_by_hand() -> None:
    values = np.array([[3.0], [1.0], [2.0], [5.0], [4.0], [4.0]])
    rank = compute_rolling_rank(values, 3, np.array([2]))
    # windows [3,1,2] [1,2,5] [2,5,4] [5,4,4]: today at or above 2, 3, 2, 2 of the 3 values
    np.testing.assert_array_equal(rank[:, 0], [np.nan, np.nan, 2.0, 3.0, 2.0, 2.0])


@pytest.mark.parametrize("shape", [(12, 3), (600, 70)])  # one broadcast call; the lag loop
def test_rolling_rank_equals_brute_force_with_ties(shape: tuple[int, int]) -> None:
    values = np.random.default_rng(5).integers(0, 20, shape).astype(np.float64)
    window = 5 if shape[0] < 50 else 50
    values[window + 3, 0] = np.nan
    rank = compute_rolling_rank(values, window, np.full(shape[1], window - 1))
    for t in range(window - 1, shape[0]):
        today = values[t]
        brute = np.sum(values[t - window + 1 : t + 1] <= today, axis=0).astype(np.float64)
        brute[np.isnan(today)] = np.nan
        np.testing.assert_array_equal(rank[t], brute)


def test_vol_percentile_is_100_at_a_one_year_vol_high_and_low_at_a_vol_low() -> None:
    n = 320
    size = np.linspace(0.001, 0.03, n)  # daily moves growing all year
    moves = size * np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    rising = 100.0 * np.exp(np.cumsum(moves))
    pctile = compute_vol_percentile(rising)
    assert np.isnan(pctile[270]) and not np.isnan(pctile[271])  # 20 returns + 252 values
    assert pctile[-1] == 100.0
    calming = 100.0 * np.exp(np.cumsum(moves[::-1]))  # moves shrinking: vol at its year low
    assert compute_vol_percentile(calming)[-1] == pytest.approx(100.0 / 252)


def test_realized_vol_by_hand() -> None:
    close = 100.0 * 1.01 ** (np.arange(41) % 2)  # 100, 101, 100, ...: log moves of +-log 1.01
    vol = compute_realized_vol(close)
    assert np.isnan(vol[19]) and not np.isnan(vol[20])
    assert vol[-1] == pytest.approx(math.log(1.01) * math.sqrt(252) * 100.0, rel=1e-12)


def test_drawdown_by_hand() -> None:
    high = np.array([10.0, 12.0, 11.0, 9.0, 8.0])
    close = np.array([9.0, 11.0, 10.0, 9.0, 8.0])
    dd = compute_drawdown(high, close, window=3)
    np.testing.assert_allclose(dd, [np.nan, np.nan, 100 / 6, 25.0, (1 - 8 / 11) * 100])


def test_return_z_by_hand() -> None:
    close = np.array([1.0, 2.0, 1.0, 2.0, 4.0])  # one-bar returns 1, -0.5, 1, 1
    z = compute_return_z(close, days=1, window=3)
    # windows [1, -0.5, 1] and [-0.5, 1, 1]: population std sqrt(0.5); today's return 1
    np.testing.assert_allclose(z, [np.nan, np.nan, np.nan, math.sqrt(2), math.sqrt(2)])


# --- the snapshot ----------------------------------------------------------------------------


def bar_views(high: FloatArray, low: FloatArray, close: FloatArray) -> list[BarView]:
    start = date(2020, 1, 1)
    return [
        BarView(start + timedelta(days=i), c, h, lo, c, 0.0)
        for i, (h, lo, c) in enumerate(zip(high, low, close, strict=True))
    ]


def test_snapshot_names_and_values_match_talib_on_real_history() -> None:
    high, low, close = (a[-300:] for a in ohlc("merged_index_series", "^GSPC.csv"))
    snap = compute_snapshot(bar_views(high, low, close))
    assert snap is not None
    ref = talib_reference(high, low, close) | talib_built(high, close)
    for key, theirs in ref.items():
        assert snap.values[key] == pytest.approx(theirs[-1], rel=TOL, abs=TOL), key
    pctile = snap.values["realized_vol_pctile"]
    assert pctile is not None and 0.0 < pctile <= 100.0
    for key in ("close", "prev_close", "change_pct", "high52", "low52"):
        assert snap.values[key] is not None, key


def test_snapshot_says_none_where_history_is_too_short() -> None:
    high, low, close = simulated(100)
    snap = compute_snapshot(bar_views(high, low, close))
    assert snap is not None
    for key in ("sma200", "realized_vol_pctile", "drawdown_pct", "return20_z"):
        assert snap.values[key] is None, key
    for key in ("sma50", "ema20", "macd_signal", "bb_upper", "realized_vol20_pct", "return60_pct"):
        assert snap.values[key] is not None, key


def test_history_days_hold_a_year_of_20_day_vol_on_real_calendars() -> None:
    """HISTORY_DAYS calendar days before any date hold the 272 bars the one-year measures need
    (checked at every bar date of real US, European and FX calendars since 2005)."""
    from tapewire.technicals.stage import HISTORY_DAYS

    for folder, name in (
        ("merged_index_series", "^GSPC.csv"),
        ("yahoo_long_to_2026-02", "^GDAXI.csv"),
        ("yahoo_long_to_2026-02", "EURUSD=X.csv"),
    ):
        path: Path = shared_data("prices", folder, name)
        days = np.array([b.bar_date.toordinal() for b in parse_csv_bars(path.read_bytes()).bars])
        ends = days[days >= date(2005, 1, 1).toordinal()]
        held = np.searchsorted(days, ends, side="right") - np.searchsorted(
            days, ends - HISTORY_DAYS, side="right"
        )
        assert held.min() >= 272, (name, int(held.min()))
