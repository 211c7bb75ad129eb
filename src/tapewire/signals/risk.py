"""Risk Low/Medium/High (pure): how rough the ride is now, from four measured inputs.

Points (each input scores 0, 1 or 2; a missing input scores 0 and is shown as n/a):
- ATR 14 as % of price: > 1.5 one point, > 3 two;
- drawdown from the 52-week high: > 7 % one point, > 15 % two;
- realized 20-day volatility's one-year percentile: >= 80 one point, >= 95 two;
- the VIX regime, for US equities, indices and ETFs: elevated (20-30) one point, stressed
  (>= 30) two.
Label: 0-1 Low, 2-3 Medium, 4+ High.

With under a year of bars there is no volatility percentile: that input is n/a (``missing``
names it) and the VIX regime, where it applies, is the volatility read Risk rests on. The
inputs are kept raw (not rounded): the writer rounds each displayed number once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RiskLabel = Literal["Low", "Medium", "High"]
VIX_REGIMES = ((15.0, "calm"), (20.0, "normal"), (30.0, "elevated"))  # below each bound
MEDIUM_AT, HIGH_AT = 2, 4


@dataclass(frozen=True, slots=True)
class Risk:
    label: RiskLabel
    points: int
    atr_pct: float | None
    drawdown_pct: float | None
    vol_pctile: float | None
    vix: float | None
    vix_regime: str | None
    missing: tuple[str, ...] = ()  # inputs that were n/a ("vol_pctile" with under a year of bars)


def vix_regime_of(vix: float) -> str:
    """calm < 15 <= normal < 20 <= elevated < 30 <= stressed: the levels traders quote."""
    return next((name for bound, name in VIX_REGIMES if vix < bound), "stressed")


def _points(value: float | None, one: float, two: float) -> int:
    if value is None:
        return 0
    return 2 if value >= two else 1 if value >= one else 0


def compute_risk(
    *,
    close: float,
    atr14: float | None,
    high52: float | None,
    vol_pctile: float | None = None,
    vix: float | None = None,
) -> Risk:
    atr_pct = None if atr14 is None else 100.0 * atr14 / close
    drawdown = None if high52 is None else max(0.0, 100.0 * (1.0 - close / high52))
    regime = None if vix is None else vix_regime_of(vix)
    points = (
        (0 if atr_pct is None else 2 if atr_pct > 3.0 else 1 if atr_pct > 1.5 else 0)
        + (0 if drawdown is None else 2 if drawdown > 15.0 else 1 if drawdown > 7.0 else 0)
        + _points(vol_pctile, 80.0, 95.0)
        + {"elevated": 1, "stressed": 2}.get(regime or "", 0)
    )
    label: RiskLabel = "High" if points >= HIGH_AT else "Medium" if points >= MEDIUM_AT else "Low"
    inputs = {"atr_pct": atr_pct, "drawdown_pct": drawdown, "vol_pctile": vol_pctile, "vix": vix}
    missing = tuple(name for name, value in inputs.items() if value is None)
    return Risk(label, points, atr_pct, drawdown, vol_pctile, vix, regime, missing)
