"""Risk Low/Medium/High (pure): ATR as % of price and drawdown from the 52-week high.

Thin first version; issue #5 adds the realized-volatility percentile and the VIX regime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RiskLabel = Literal["Low", "Medium", "High"]


@dataclass(frozen=True, slots=True)
class Risk:
    label: RiskLabel
    points: int
    atr_pct: float | None
    drawdown_pct: float | None


def compute_risk(*, close: float, atr14: float | None, high52: float | None) -> Risk:
    """ATR% > 1.5 (+1), > 3 (+2); drawdown > 7% (+1), > 15% (+2). 3+ High, 1-2 Medium."""
    atr_pct = None if atr14 is None else 100.0 * atr14 / close
    drawdown = None if high52 is None else 100.0 * (1.0 - close / high52)
    points = 0
    if atr_pct is not None:
        points += 2 if atr_pct > 3.0 else 1 if atr_pct > 1.5 else 0
    if drawdown is not None:
        points += 2 if drawdown > 15.0 else 1 if drawdown > 7.0 else 0
    label: RiskLabel = "High" if points >= 3 else "Medium" if points >= 1 else "Low"
    return Risk(label, points, _round(atr_pct), _round(drawdown))


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)
