"""One instrument's technical snapshot as of a date (pure): indicators and levels together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from tapewire.market.queries import BarView
from tapewire.technicals.indicators import (
    FloatArray,
    compute_atr,
    compute_return,
    compute_rsi,
    compute_sma,
)
from tapewire.technicals.levels import Level, LevelBar, find_levels

MIN_BARS = 30  # below this no indicator is meaningful enough to write about


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


def compute_snapshot(bars: Sequence[BarView]) -> Snapshot | None:
    """Indicators and levels from bars (oldest first), or None with too little history."""
    if len(bars) < MIN_BARS:
        return None
    close = np.array([b.close for b in bars], dtype=np.float64)
    high = np.array([b.high for b in bars], dtype=np.float64)
    low = np.array([b.low for b in bars], dtype=np.float64)
    sma50, sma200 = _last(compute_sma(close, 50)), _last(compute_sma(close, 200))
    atr = _last(compute_atr(high, low, close, 14))
    year = bars[-252:]
    values: dict[str, float | None] = {
        "close": float(close[-1]),
        "prev_close": float(close[-2]),
        "change_pct": float(close[-1] / close[-2] - 1.0) * 100.0,
        "sma50": sma50,
        "sma200": sma200,
        "rsi14": _last(compute_rsi(close, 14)),
        "atr14": atr,
        "return20_pct": _pct(compute_return(close, 20)),
        "return60_pct": _pct(compute_return(close, 60)),
        "high52": max(b.high for b in year),
        "low52": min(b.low for b in year),
    }
    level_bars = [LevelBar(b.bar_date, b.high, b.low, b.close) for b in bars]
    levels = find_levels(level_bars, atr=atr or 0.0, sma50=sma50, sma200=sma200)
    return Snapshot(bars[-1].bar_date, len(bars), values, tuple(levels))


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100.0
