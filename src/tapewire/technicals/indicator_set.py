"""The full indicator set for many instruments at once (pure, numpy).

One call computes every series the technicals snapshot names (sma50 ... return20_z) for one
instrument or a whole batch: stream.py walks the bars in cache-sized blocks across all
instruments, then the one-year percentile and drawdown run over what it kept. Instruments with
shorter histories are shifted to start together first. ``bench/indicators/run.py`` times it
against TA-Lib.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import numpy.typing as npt

from tapewire.technicals.stream import BlockEngine
from tapewire.technicals.volatility import TRADING_DAYS, VOL_WINDOW
from tapewire.technicals.windows import (
    FloatArray,
    IntArray,
    as_time_major,
    compute_rolling_rank,
    find_starts,
    from_time_major,
    iter_rolling_max,
)

TALIB_NAMES = (  # the series TA-Lib computes too (bench and tests compare these)
    "sma50",
    "sma200",
    "ema20",
    "rsi14",
    "macd",
    "macd_signal",
    "macd_hist",
    "atr14",
    "bb_upper",
    "bb_middle",
    "bb_lower",
)
OTHER_NAMES = (
    "return20_pct",
    "return60_pct",
    "realized_vol20_pct",
    "realized_vol_pctile",
    "drawdown_pct",
    "return20_z",
)
ALL_NAMES = TALIB_NAMES + OTHER_NAMES


FEW_PEAKS = 4096  # drawdown rows x instruments at most for the one-call path
Series = dict[str, FloatArray]


def compute_indicator_set(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    *,
    names: Collection[str] = ALL_NAMES,
    tail: int | None = None,
    block: int | None = None,
) -> Series:
    """Named indicator series for one series (bars,) or a batch (instruments, bars).

    Each series equals what the single-indicator functions (indicators.py, volatility.py)
    return, to rounding. An instrument starts at its first bar with high, low and close all
    present.

    Args:
        high, low, close: Same shape. A Fortran-ordered batch (one contiguous bar of every
            instrument) is used without a copy; a C-ordered one is transposed once.
        names: The series wanted (default all, see ALL_NAMES); others are not computed.
        tail: Keep only the last ``tail`` bars of each series (1 for a snapshot): the same
            work, far less memory written.
        block: Bars per block of the walk (default: about 40,000 values per operation).
    """
    unknown = set(names) - set(ALL_NAMES)
    if unknown:
        raise ValueError(f"unknown indicator name(s): {', '.join(sorted(unknown))}")
    h, lo, c = as_time_major(high), as_time_major(low), as_time_major(close)
    n_rows = c.shape[0]
    keep = n_rows if tail is None else max(0, min(tail, n_rows))
    starts = find_starts(h, lo, c)
    ragged = bool(np.any(starts != 0))
    if ragged:  # shift every instrument to start at row 0, compute, shift back
        h, lo, c = (_align(x, starts) for x in (h, lo, c))
    out = _compute_aligned(h, lo, c, set(names), n_rows if ragged else keep, block)
    if ragged:
        out = {name: _unalign(series, starts, keep) for name, series in out.items()}
    return {name: from_time_major(out[name], like=close) for name in ALL_NAMES if name in out}


def _compute_aligned(
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    want: set[str],
    keep: int,
    block: int | None,
) -> Series:
    engine = BlockEngine(high, low, close, want, keep=keep, block=block)
    out = engine.run()
    n_rows = close.shape[0]
    first = n_rows - keep
    if "realized_vol_pctile" in want and engine.vol_full is not None:
        lo = engine.vol_from  # row of vol_full[0]; ranks are needed from row `first` on
        rank = compute_rolling_rank(
            engine.vol_full,
            TRADING_DAYS,
            _rows(close, max(first, VOL_WINDOW + TRADING_DAYS - 1) - lo),
        )
        out["realized_vol_pctile"][:] = rank[first - lo :] * (100.0 / TRADING_DAYS)
    if "drawdown_pct" in want:
        _drawdown(high, close, out["drawdown_pct"], first)
    return out


def _drawdown(high: FloatArray, close: FloatArray, out: FloatArray, first: int) -> None:
    """Rows first.. of the % drawdown from the highest high of the last year."""
    n_rows, n_cols = close.shape
    if (n_rows - first) * n_cols <= FEW_PEAKS:  # a snapshot: one call over the few windows
        r0 = max(first, TRADING_DAYS - 1)
        out[: r0 - first] = np.nan
        if r0 < n_rows:
            windows = np.lib.stride_tricks.sliding_window_view(
                high[r0 - TRADING_DAYS + 1 :], TRADING_DAYS, axis=0
            )
            _drawdown_rows(close[r0:], windows.max(axis=2), out[r0 - first :])
        return
    lo = max(0, (first // TRADING_DAYS - 1) * TRADING_DAYS)  # its backward max is needed
    for k0, peak in iter_rolling_max(high[lo:], TRADING_DAYS):
        r0, r1 = max(lo + k0, first), lo + k0 + peak.shape[0]
        if r1 > first:
            _drawdown_rows(close[r0:r1], peak[r0 - lo - k0 :], out[r0 - first : r1 - first])


def _drawdown_rows(close: FloatArray, peak: FloatArray, out: FloatArray) -> None:
    np.divide(close, peak, out=out)
    np.subtract(1.0, out, out=out)
    out *= 100.0


def _rows(close: FloatArray, row: int) -> IntArray:
    return np.full(close.shape[1], max(row, 0), dtype=np.intp)


def _align(x: FloatArray, starts: IntArray) -> FloatArray:
    """Column j shifted up by starts[j] rows; NaN below its end."""
    rows = np.arange(x.shape[0])[:, None] + starts[None, :]
    inside = rows < x.shape[0]
    taken = x[np.minimum(rows, x.shape[0] - 1), np.arange(x.shape[1])[None, :]]
    return np.where(inside, taken, np.nan)


def _unalign(x: FloatArray, starts: IntArray, keep: int) -> FloatArray:
    """The last ``keep`` rows of column j shifted back down by starts[j] rows."""
    n_rows = x.shape[0]
    rows = np.arange(n_rows - keep, n_rows)[:, None] - starts[None, :]
    taken = x[np.maximum(rows, 0), np.arange(x.shape[1])[None, :]]
    return np.where(rows >= 0, taken, np.nan)
