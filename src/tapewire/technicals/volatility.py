"""Volatility, drawdown and return-size measures TA-Lib lacks (pure, numpy).

Realized volatility is the population standard deviation (TA-Lib STDDEV's convention) of the
last 20 daily log returns, annualized by sqrt(252), in %. Its one-year percentile is the share
of the last 252 daily realized-vol values at or below today's (today included), 0-100.
Drawdown is how far the close sits below the highest high of the last 252 bars, in %
(positive = below). The 20-day return z is the 20-day return over the population standard
deviation of the last 252 20-day returns (not mean-centred: "how many typical moves").
Shapes and NaN conventions as in indicators.py.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from tapewire.technicals.indicators import returns_tm
from tapewire.technicals.windows import (
    FloatArray,
    IntArray,
    ShiftedSums,
    as_time_major,
    blank_before,
    compute_rolling_max,
    compute_rolling_rank,
    compute_shifted_sums,
    find_starts,
    from_time_major,
    window_means,
)

TRADING_DAYS = 252  # bars in a year: annualization and the 52-week window
VOL_WINDOW = 20  # log returns in one realized-volatility value
RETURN_DAYS = 20  # the return whose z-score is taken


def window_std_tm(
    x: FloatArray, window: int, starts: IntArray, sums: ShiftedSums | None = None
) -> FloatArray:
    """Population standard deviation over the last ``window`` rows, from ``starts`` on
    (``sums``: the shifted sums of ``x`` with squares, when already built)."""
    sums = sums or compute_shifted_sums(x, starts)
    mean = window_means(sums.sums, window)
    var = window_means(sums.squares, window)
    var -= mean * mean
    np.maximum(var, 0.0, out=var)  # rounding can leave a flat window a hair below zero
    return blank_before(np.sqrt(var, out=var), starts + window - 1)


def log_returns_tm(close: FloatArray) -> FloatArray:
    out = np.empty(close.shape, dtype=np.float64)
    out[:1] = np.nan
    np.divide(close[1:], close[:-1], out=out[1:])
    np.log(out[1:], out=out[1:])
    return out


def realized_vol_tm(
    close: FloatArray,
    starts: IntArray,
    window: int = VOL_WINDOW,
    *,
    log_returns: FloatArray | None = None,
    sums: ShiftedSums | None = None,
) -> FloatArray:
    if log_returns is None:
        log_returns = log_returns_tm(close)
    out = window_std_tm(log_returns, window, starts + 1, sums)
    out *= math.sqrt(TRADING_DAYS) * 100.0
    return out


def vol_percentile_tm(
    realized_vol: FloatArray,
    starts: IntArray,
    window: int = TRADING_DAYS,
    vol_window: int = VOL_WINDOW,
) -> FloatArray:
    """Percentile of today's realized vol among the last ``window`` values (NaN until full)."""
    out = compute_rolling_rank(realized_vol, window, starts + vol_window + window - 1)
    out *= 100.0 / window
    return out


def drawdown_tm(
    high: FloatArray, close: FloatArray, starts: IntArray, window: int = TRADING_DAYS
) -> FloatArray:
    peak = compute_rolling_max(high, window)
    out = np.divide(close, peak)
    np.subtract(1.0, out, out=out)
    out *= 100.0
    return blank_before(out, starts + window - 1)


def return_z_tm(
    close: FloatArray,
    starts: IntArray,
    days: int = RETURN_DAYS,
    window: int = TRADING_DAYS,
    *,
    returns: FloatArray | None = None,
    sums: ShiftedSums | None = None,
) -> FloatArray:
    """The ``days`` return over the standard deviation of the last ``window`` such returns;
    NaN while history is short and where that deviation is 0 (a flat year)."""
    ret = returns_tm(close, days, starts) if returns is None else returns
    std = window_std_tm(ret, window, starts + days, sums)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(ret, std)
    out[std == 0.0] = np.nan
    return out


# --- one series or a batch in (instruments, bars) ------------------------------------------


def compute_realized_vol(close: npt.ArrayLike, window: int = VOL_WINDOW) -> FloatArray:
    """Annualized realized volatility in % (population std of ``window`` log returns)."""
    x = as_time_major(close)
    return from_time_major(realized_vol_tm(x, find_starts(x), window), like=close)


def compute_vol_percentile(close: npt.ArrayLike, window: int = TRADING_DAYS) -> FloatArray:
    """One-year percentile (0-100) of the 20-day realized volatility."""
    x = as_time_major(close)
    starts = find_starts(x)
    return from_time_major(
        vol_percentile_tm(realized_vol_tm(x, starts), starts, window), like=close
    )


def compute_drawdown(
    high: npt.ArrayLike, close: npt.ArrayLike, window: int = TRADING_DAYS
) -> FloatArray:
    """% below the highest high of the last ``window`` bars (0 at a new high)."""
    h, c = as_time_major(high), as_time_major(close)
    return from_time_major(drawdown_tm(h, c, find_starts(h, c), window), like=close)


def compute_return_z(
    close: npt.ArrayLike, days: int = RETURN_DAYS, window: int = TRADING_DAYS
) -> FloatArray:
    x = as_time_major(close)
    return from_time_major(return_z_tm(x, find_starts(x), days, window), like=close)
