"""One instrument's technical snapshot as of a date (pure): indicators and levels together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from tapewire.market.queries import BarView
from tapewire.technicals.indicator_set import compute_indicator_set
from tapewire.technicals.indicators import FloatArray
from tapewire.technicals.levels import Level, LevelBar, find_levels

MIN_BARS = 30  # below this no indicator is meaningful enough to write about
SLOPE_SMA_DAYS, SLOPE_DAYS = 50, 20  # the trend's slope: the 50-day average against 20 bars ago


@dataclass(frozen=True, slots=True)
class Snapshot:
    bar_date: date
    n_bars: int
    values: dict[
        str, float | None
    ]  # close, prev_close, change_pct, sma50, sma200, rsi14, atr14, ...
    levels: tuple[Level, ...]


def _last(values: FloatArray) -> float | None:
    value = float(values[-1]) if len(values) else float("nan")
    return None if np.isnan(value) else value


def _sma_slope_pct(close: FloatArray, period: int, lag: int) -> float | None:
    """% change of the ``period``-bar average over the last ``lag`` bars (None when short)."""
    if len(close) < period + lag:
        return None
    now = float(close[-period:].mean())
    then = float(close[-period - lag : -lag].mean())
    return (now / then - 1.0) * 100.0


def compute_snapshot(bars: Sequence[BarView]) -> Snapshot | None:
    """Indicators and levels from bars (oldest first), or None with too little history."""
    if len(bars) < MIN_BARS:
        return None
    close = np.array([b.close for b in bars], dtype=np.float64)
    high = np.array([b.high for b in bars], dtype=np.float64)
    low = np.array([b.low for b in bars], dtype=np.float64)
    last = {
        name: _last(series)
        for name, series in compute_indicator_set(high, low, close, tail=1).items()
    }
    sma50, sma200, atr = last["sma50"], last["sma200"], last["atr14"]
    year = bars[-252:]
    values: dict[str, float | None] = {
        "close": float(close[-1]),
        "prev_close": float(close[-2]),
        "change_pct": float(close[-1] / close[-2] - 1.0) * 100.0,
        "sma50": sma50,
        "sma200": sma200,
        "rsi14": last["rsi14"],
        "atr14": atr,
        "return20_pct": last["return20_pct"],
        "return60_pct": last["return60_pct"],
        "high52": max(b.high for b in year),
        "low52": min(b.low for b in year),
        "ema20": last["ema20"],
        "macd": last["macd"],
        "macd_signal": last["macd_signal"],
        "macd_hist": last["macd_hist"],
        "bb_upper": last["bb_upper"],
        "bb_middle": last["bb_middle"],
        "bb_lower": last["bb_lower"],
        "realized_vol20_pct": last["realized_vol20_pct"],  # annualized, %
        "realized_vol_pctile": last["realized_vol_pctile"],  # 0-100 over one year
        "drawdown_pct": last["drawdown_pct"],  # below the 52-week high, %
        "return20_z": last["return20_z"],
        "sma50_slope_pct": _sma_slope_pct(close, SLOPE_SMA_DAYS, SLOPE_DAYS),
    }
    level_bars = [LevelBar(b.bar_date, b.high, b.low, b.close) for b in bars]
    levels = find_levels(level_bars, atr=atr or 0.0, sma50=sma50, sma200=sma200)
    return Snapshot(bars[-1].bar_date, len(bars), values, tuple(levels))
