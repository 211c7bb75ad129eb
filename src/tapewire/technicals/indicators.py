"""Indicators over daily bars (pure, numpy): SMA, RSI (Wilder), ATR (Wilder), returns.

Each returns a full-length array aligned with the input, NaN until enough bars exist, the same
convention as TA-Lib (issue #4 checks agreement to 1e-7).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def compute_sma(values: FloatArray, period: int) -> FloatArray:
    out = np.full(values.shape, np.nan)
    if period <= 0 or len(values) < period:
        return out
    cumsum = np.cumsum(np.insert(values, 0, 0.0))
    out[period - 1 :] = (cumsum[period:] - cumsum[:-period]) / period
    return out


def _wilder(values: FloatArray, period: int, first_index: int) -> FloatArray:
    """Wilder smoothing: seed with the mean of the first ``period`` values, then RMA."""
    out = np.full(values.shape, np.nan)
    if len(values) < first_index + period:
        return out
    seed_end = first_index + period
    avg = float(np.mean(values[first_index:seed_end]))
    out[seed_end - 1] = avg
    for i in range(seed_end, len(values)):
        avg = (avg * (period - 1) + float(values[i])) / period
        out[i] = avg
    return out


def compute_rsi(close: FloatArray, period: int = 14) -> FloatArray:
    out = np.full(close.shape, np.nan)
    if len(close) <= period:
        return out
    delta = np.diff(close, prepend=np.nan)
    gains = np.where(delta > 0, delta, 0.0)
    losses = np.where(delta < 0, -delta, 0.0)
    avg_gain = _wilder(gains, period, 1)
    avg_loss = _wilder(losses, period, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rs = avg_gain / avg_loss
        rsi = 100.0 - 100.0 / (1.0 + rs)
    rsi = np.where((avg_loss == 0) & ~np.isnan(avg_gain), 100.0, rsi)
    out[:] = rsi
    return out


def compute_true_range(high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
    prev_close = np.roll(close, 1)
    tr = np.maximum(high - low, np.maximum(np.abs(high - prev_close), np.abs(low - prev_close)))
    tr[0] = np.nan  # TA-Lib starts ATR from the second bar
    return tr


def compute_atr(
    high: FloatArray, low: FloatArray, close: FloatArray, period: int = 14
) -> FloatArray:
    return _wilder(compute_true_range(high, low, close), period, 1)


def compute_return(close: FloatArray, days: int) -> float | None:
    """Simple return over the last ``days`` bars, or None when history is too short."""
    if len(close) <= days:
        return None
    return float(close[-1] / close[-1 - days] - 1.0)
