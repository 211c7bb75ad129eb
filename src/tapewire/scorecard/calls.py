"""A call (pure): what one signal or brief said as of its as_of, in the form the scorecard grades.

Every daily signal and every published brief is a call: direction, Pulse (with the components it
had: a backtest has no news), Threat, Risk and the levels it named, each with its side of the
entry close (below: acts as support; above: acts as resistance). ``inputs`` keeps what the
baselines need from the same moment: the trailing 20-day return (the momentum baseline), ATR as
% of price (what a "small move" is for a Neutral call) and the trailing realized volatility (the
persistence baseline for Threat and Risk).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from tapewire.scorecard.outcomes import NamedLevel

CALL_KINDS = ("signal", "brief", "backtest")
PULSE_COMPONENTS = ("news", "trend", "momentum", "relative_strength")


@dataclass(frozen=True, slots=True)
class Call:
    kind: str  # signal | brief | backtest
    instrument_id: int
    symbol: str
    asset_class: str
    as_of: datetime
    trigger: str
    direction: str
    pulse: float
    threat: int | None
    risk: str | None
    entry_close: float
    entry_date: date
    components: dict[str, float | None]  # Pulse component -> value (None: had no input)
    return20_pct: float | None
    atr_pct: float | None
    realized_vol20_pct: float | None
    levels: tuple[NamedLevel, ...] = ()
    brief_id: int | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def key(self) -> str:
        if self.kind == "brief":
            return f"brief:{self.brief_id}"
        # one call per instrument and session: a weekend's signals repeat Friday's bars
        return f"{self.kind}:{self.instrument_id}:{self.entry_date.isoformat()}"

    def inputs(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "asset_class": self.asset_class,
            "components": dict(self.components),
            "return20_pct": self.return20_pct,
            "atr_pct": self.atr_pct,
            "realized_vol20_pct": self.realized_vol20_pct,
            "entry_close": self.entry_close,
            "entry_date": self.entry_date.isoformat(),
            **self.extra,
        }


def components_of(pulse_components: Iterable[Mapping[str, object]]) -> dict[str, float | None]:
    """name -> value from stored Pulse components (``asdict(Component)`` each)."""
    out: dict[str, float | None] = {}
    for comp in pulse_components:
        value = comp.get("value")
        out[str(comp.get("name"))] = float(value) if isinstance(value, int | float) else None
    return out


def named_levels(
    levels: Iterable[tuple[str, float, float | None, float | None]], close: float
) -> tuple[NamedLevel, ...]:
    """(kind, price, zone_low, zone_high) levels with their side of ``close``."""
    return tuple(
        NamedLevel(kind, price, "below" if price < close else "above", zlo, zhi)
        for kind, price, zlo, zhi in levels
        if price != close
    )


def atr_pct(values: Mapping[str, float | None]) -> float | None:
    atr, close = values.get("atr14"), values.get("close")
    return None if atr is None or not close else 100.0 * atr / close
