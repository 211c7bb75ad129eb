"""The full indicator set for many instruments at once (pure, numpy), sharing the work.

One call computes every series the technicals snapshot names (sma50 ... return20_z) for a
whole batch of instruments: the price sums are built once for SMA 50/200 and the bands, each
recursion runs once over all instruments. ``bench/indicators/run.py`` times it against TA-Lib.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import numpy.typing as npt

from tapewire.technicals.indicators import (
    atr_spec,
    bbands_tm,
    ema_spec,
    macd_from_emas,
    macd_specs,
    returns_tm,
    rsi_from_averages,
    rsi_specs,
    sma_tm,
)
from tapewire.technicals.volatility import (
    drawdown_tm,
    log_returns_tm,
    realized_vol_tm,
    return_z_tm,
    vol_percentile_tm,
)
from tapewire.technicals.windows import (
    FloatArray,
    IntArray,
    Smoothing,
    as_time_major,
    compute_shifted_sums,
    find_starts,
    from_time_major,
    run_smoothings,
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
CHUNK = 512  # instruments per pass: wide enough for vectorized steps, small enough for cache


Series = dict[str, FloatArray]


def compute_indicator_set(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    *,
    names: Collection[str] = ALL_NAMES,
    tail: int | None = None,
    chunk: int = CHUNK,
) -> Series:
    """Named indicator series for one series (bars,) or a batch (instruments, bars).

    Args:
        high, low, close: Same shape. A Fortran-ordered batch (one contiguous bar of every
            instrument) is used without a copy; a C-ordered one is transposed once.
        names: The series wanted (default all, see ALL_NAMES); others are not computed.
        tail: Keep only the last ``tail`` bars of each series (1 for a snapshot); the work is
            the same, the memory kept is not.
        chunk: Instruments computed together; each chunk's scratch arrays stay in cache.
    """
    unknown = set(names) - set(ALL_NAMES)
    if unknown:
        raise ValueError(f"unknown indicator name(s): {', '.join(sorted(unknown))}")
    h, lo, c = as_time_major(high), as_time_major(low), as_time_major(close)
    keep = c.shape[0] if tail is None else min(tail, c.shape[0])
    wanted = [name for name in ALL_NAMES if name in names]
    out = {name: np.empty((keep, c.shape[1])) for name in wanted}
    for j0 in range(0, c.shape[1], chunk):
        cols = slice(j0, j0 + chunk)
        part = (np.ascontiguousarray(x[:, cols]) for x in (h, lo, c))
        for name, series in _compute_chunk(*part, set(wanted)).items():
            out[name][:, cols] = series[series.shape[0] - keep :]
    return {name: from_time_major(series, like=close) for name, series in out.items()}


def _compute_chunk(high: FloatArray, low: FloatArray, close: FloatArray, want: set[str]) -> Series:
    starts = find_starts(close)
    out = _smoothed(high, low, close, starts, want)
    out.update(_windowed(high, close, starts, want))
    return out


def _smoothed(
    high: FloatArray, low: FloatArray, close: FloatArray, starts: IntArray, want: set[str]
) -> Series:
    """EMA 20, RSI 14, ATR 14 and MACD's two EMAs as one recursion, then MACD's signal."""
    specs: dict[str, Smoothing] = {}
    if "ema20" in want:
        specs["ema20"] = ema_spec(close, 20, starts)
    if "rsi14" in want:
        specs["gain"], specs["loss"] = rsi_specs(close, 14, starts)
    if "atr14" in want:
        specs["atr14"] = atr_spec(high, low, close, 14, find_starts(high, low, close))
    if want & {"macd", "macd_signal", "macd_hist"}:
        specs["fast"], specs["slow"] = macd_specs(close, 12, 26, starts)
    if not specs:
        return {}
    avg = dict(zip(specs, run_smoothings(*specs.values()), strict=True))
    out = {name: avg[name] for name in ("ema20", "atr14") if name in avg}
    if "gain" in avg:
        out["rsi14"] = rsi_from_averages(avg["gain"], avg["loss"])
    if "fast" in avg:
        lines = macd_from_emas(avg["fast"], avg["slow"], 9, specs["slow"].seed_rows)
        out.update(macd=lines.macd, macd_signal=lines.signal, macd_hist=lines.hist)
    return out


def _windowed(high: FloatArray, close: FloatArray, starts: IntArray, want: set[str]) -> Series:
    """Everything built on window sums (of prices, log returns and 20-day returns, summed in
    one pass) or on window extremes."""
    n = close.shape[1]
    sources = {"price": (close, starts)}
    if want & {"realized_vol20_pct", "realized_vol_pctile"}:
        sources["log_ret"] = (log_returns_tm(close), starts + 1)
    if want & {"return20_z", "return20_pct"}:
        sources["ret20"] = (returns_tm(close, 20, starts), starts + 20)
    stacked = np.concatenate([x for x, _ in sources.values()], axis=1)
    sums = compute_shifted_sums(
        stacked, np.concatenate([s for _, s in sources.values()]), squares=True
    )
    part = {key: sums.columns(slice(i * n, (i + 1) * n)) for i, key in enumerate(sources)}
    out: Series = {}
    for period in (50, 200):
        out[f"sma{period}"] = sma_tm(close, period, starts, part["price"])
    bands = bbands_tm(close, 20, starts, nbdev=2.0, sums=part["price"])
    out.update(bb_upper=bands.upper, bb_middle=bands.middle, bb_lower=bands.lower)
    if "log_ret" in sources:
        log_ret = sources["log_ret"][0]
        vol = realized_vol_tm(close, starts, log_returns=log_ret, sums=part["log_ret"])
        out["realized_vol20_pct"] = vol
        if "realized_vol_pctile" in want:
            out["realized_vol_pctile"] = vol_percentile_tm(vol, starts)
    if "ret20" in sources:
        ret20 = sources["ret20"][0]
        out["return20_z"] = return_z_tm(close, starts, returns=ret20, sums=part["ret20"])
        out["return20_pct"] = ret20 * 100.0
    if "return60_pct" in want:
        out["return60_pct"] = returns_tm(close, 60, starts) * 100.0
    if "drawdown_pct" in want:
        out["drawdown_pct"] = drawdown_tm(high, close, find_starts(high, close))
    return {name: series for name, series in out.items() if name in want}
