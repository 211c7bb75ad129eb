"""TA-Lib-compatible indicators over daily bars (pure, numpy): SMA, EMA, RSI, MACD, ATR, BBANDS.

Every function takes one series (bars,) or a batch (instruments, bars) and returns the same
shape: full length, aligned with the input, NaN until enough bars, with TA-Lib's conventions
(its default, no unstable period): EMA seeded with the SMA of its first ``period`` values,
Wilder's RSI and ATR seeded with plain means, MACD with TA-Lib's own seeding, BBANDS with
population standard deviation. Leading NaNs are skipped per instrument, as TA-Lib's Python
wrapper does; a NaN after an instrument's first bar makes that output NaN from there on.
Agreement with TA-Lib to 1e-7 is tested in tests/technicals/test_indicators.py.

The ``*_tm`` functions are the batched core on time-major arrays (see windows.py); the
public functions are thin wrappers that reshape.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from tapewire.technicals.windows import (
    FloatArray,
    IntArray,
    ShiftedSums,
    Smoothing,
    as_time_major,
    blank_before,
    compute_shifted_sums,
    find_starts,
    from_time_major,
    run_smoothings,
    window_means,
)

__all__ = [
    "Bands",
    "FloatArray",
    "MacdLines",
    "compute_atr",
    "compute_bbands",
    "compute_ema",
    "compute_macd",
    "compute_returns",
    "compute_rsi",
    "compute_sma",
]

ZERO = 1e-8  # TA-Lib's TA_IS_ZERO: RSI is 0 and a standard deviation 0 below this


class MacdLines(NamedTuple):
    macd: FloatArray
    signal: FloatArray
    hist: FloatArray


class Bands(NamedTuple):
    upper: FloatArray
    middle: FloatArray
    lower: FloatArray


def _check_period(period: int, minimum: int = 1) -> None:
    if period < minimum:
        raise ValueError(f"period must be >= {minimum}, got {period}")


# --- batched core (time-major: rows are bars, columns instruments) -------------------------


def sma_tm(
    x: FloatArray, period: int, starts: IntArray, sums: ShiftedSums | None = None
) -> FloatArray:
    _check_period(period)
    sums = sums or compute_shifted_sums(x, starts)
    out = window_means(sums.sums, period)
    out += sums.ref
    return blank_before(out, starts + period - 1)


def ema_spec(x: FloatArray, period: int, starts: IntArray) -> Smoothing:
    """EMA with k = 2/(period+1) seeded with the SMA of each instrument's first values."""
    _check_period(period)
    return Smoothing.ema(x, period, starts + period - 1)


def ema_tm(x: FloatArray, period: int, starts: IntArray) -> FloatArray:
    return run_smoothings(ema_spec(x, period, starts))[0]


def rsi_specs(close: FloatArray, period: int, starts: IntArray) -> tuple[Smoothing, Smoothing]:
    """Wilder averages of gains and of losses, seeded with the plain mean of the first
    ``period`` of each (TA-Lib's RSI)."""
    _check_period(period, 2)
    gains = np.empty(close.shape, dtype=np.float64)
    gains[:1] = np.nan
    np.subtract(close[1:], close[:-1], out=gains[1:])
    losses = np.negative(gains)
    np.maximum(gains, 0.0, out=gains)
    np.maximum(losses, 0.0, out=losses)
    rows = starts + period
    return Smoothing.wilder(gains, period, rows), Smoothing.wilder(losses, period, rows)


def rsi_from_averages(avg_gain: FloatArray, avg_loss: FloatArray) -> FloatArray:
    total = avg_gain + avg_loss
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(avg_gain, total)
    out *= 100.0
    out[total < ZERO] = 0.0  # TA-Lib: no movement at all reads 0, not 50
    return out


def rsi_tm(close: FloatArray, period: int, starts: IntArray) -> FloatArray:
    return rsi_from_averages(*run_smoothings(*rsi_specs(close, period, starts)))


def true_range_tm(high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
    """max(high, previous close) - min(low, previous close); NaN on the first bar."""
    out = np.empty(high.shape, dtype=np.float64)
    out[:1] = np.nan
    low_side = np.minimum(low[1:], close[:-1])
    np.maximum(high[1:], close[:-1], out=out[1:])
    out[1:] -= low_side
    return out


def atr_spec(
    high: FloatArray, low: FloatArray, close: FloatArray, period: int, starts: IntArray
) -> Smoothing:
    """Wilder's ATR: the mean true range of bars 1..period seeds it, as in TA-Lib."""
    _check_period(period)
    return Smoothing.wilder(true_range_tm(high, low, close), period, starts + period)


def atr_tm(
    high: FloatArray, low: FloatArray, close: FloatArray, period: int, starts: IntArray
) -> FloatArray:
    return run_smoothings(atr_spec(high, low, close, period, starts))[0]


def macd_specs(
    close: FloatArray, fast: int, slow: int, starts: IntArray
) -> tuple[Smoothing, Smoothing]:
    """TA-Lib's MACD EMAs: both start at the slow EMA's first bar; the fast one is seeded
    with the mean of the ``fast`` values ending there (not from the series' start)."""
    _check_period(fast, 2)
    _check_period(slow, 2)
    fast, slow = min(fast, slow), max(fast, slow)
    first = starts + slow - 1
    return Smoothing.ema(close, fast, first), Smoothing.ema(close, slow, first)


def macd_from_emas(
    fast_ema: FloatArray, slow_ema: FloatArray, signal: int, first: IntArray
) -> MacdLines:
    """MACD line, its EMA signal (seeded from the line's first ``signal`` values), histogram;
    all NaN until the signal exists, as TA-Lib. ``first``: the line's first row."""
    _check_period(signal)
    macd = fast_ema - slow_ema
    (sig,) = run_smoothings(Smoothing.ema(macd, signal, first + signal - 1))
    shown = first + signal - 1
    blank_before(macd, shown)
    return MacdLines(macd, sig, blank_before(macd - sig, shown))


def macd_tm(close: FloatArray, fast: int, slow: int, signal: int, starts: IntArray) -> MacdLines:
    specs = macd_specs(close, fast, slow, starts)
    fast_ema, slow_ema = run_smoothings(*specs)
    return macd_from_emas(fast_ema, slow_ema, signal, specs[1].seed_rows)


def bbands_tm(
    close: FloatArray,
    period: int,
    starts: IntArray,
    *,
    nbdev: float = 2.0,
    sums: ShiftedSums | None = None,
) -> Bands:
    """SMA middle band +/- nbdev population standard deviations (TA-Lib BBANDS, matype SMA)."""
    _check_period(period)
    sums = sums or compute_shifted_sums(close, starts)
    mean = window_means(sums.sums, period)
    var = window_means(sums.squares, period)
    var -= mean * mean
    std = np.sqrt(np.where(var < ZERO, 0.0, var))  # TA-Lib: TA_IS_ZERO_OR_NEG -> 0
    middle = mean + sums.ref
    std *= nbdev
    rows = starts + period - 1
    upper = blank_before(middle + std, rows)
    lower = blank_before(middle - std, rows)
    return Bands(upper, blank_before(middle, rows), lower)


def returns_tm(close: FloatArray, days: int, starts: IntArray) -> FloatArray:
    """Simple return over ``days`` bars (a fraction): close / close ``days`` bars ago - 1."""
    _check_period(days)
    out = np.full(close.shape, np.nan)
    np.divide(close[days:], close[:-days], out=out[days:])
    out[days:] -= 1.0
    return blank_before(out, starts + days)


# --- one series or a batch in (instruments, bars) ------------------------------------------


def compute_sma(values: npt.ArrayLike, period: int) -> FloatArray:
    x = as_time_major(values)
    return from_time_major(sma_tm(x, period, find_starts(x)), like=values)


def compute_ema(values: npt.ArrayLike, period: int) -> FloatArray:
    x = as_time_major(values)
    return from_time_major(ema_tm(x, period, find_starts(x)), like=values)


def compute_rsi(close: npt.ArrayLike, period: int = 14) -> FloatArray:
    x = as_time_major(close)
    return from_time_major(rsi_tm(x, period, find_starts(x)), like=close)


def compute_atr(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 14
) -> FloatArray:
    h, lo, c = as_time_major(high), as_time_major(low), as_time_major(close)
    return from_time_major(atr_tm(h, lo, c, period, find_starts(h, lo, c)), like=close)


def compute_macd(
    close: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9
) -> MacdLines:
    x = as_time_major(close)
    lines = macd_tm(x, fast, slow, signal, find_starts(x))
    return MacdLines(*(from_time_major(line, like=close) for line in lines))


def compute_bbands(close: npt.ArrayLike, period: int = 20, nbdev: float = 2.0) -> Bands:
    x = as_time_major(close)
    bands = bbands_tm(x, period, find_starts(x), nbdev=nbdev)
    return Bands(*(from_time_major(band, like=close) for band in bands))


def compute_returns(close: npt.ArrayLike, days: int) -> FloatArray:
    x = as_time_major(close)
    return from_time_major(returns_tm(x, days, find_starts(x)), like=close)
