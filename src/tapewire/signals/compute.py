"""All of one instrument's scores from their inputs (pure), with components for "why NN?"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from tapewire.signals.heat import Heat, compute_heat
from tapewire.signals.pulse import (
    NewsInput,
    Pulse,
    compute_momentum,
    compute_news,
    compute_pulse,
    compute_relative_strength,
    compute_trend,
)
from tapewire.signals.risk import Risk, compute_risk
from tapewire.signals.threat import Threat, compute_threat


@dataclass(frozen=True, slots=True)
class SignalInputs:
    values: dict[str, float | None]  # the technical snapshot (close, sma50, rsi14, atr14, ...)
    support_prices: tuple[float, ...]
    news: tuple[NewsInput, ...]
    benchmark_return20_pct: float | None


@dataclass(frozen=True, slots=True)
class SignalSet:
    pulse: Pulse
    heat: Heat
    risk: Risk
    threat: Threat

    def components(self) -> dict[str, object]:
        return {
            "pulse": [asdict(c) for c in self.pulse.components],
            "heat": asdict(self.heat),
            "risk": asdict(self.risk),
            "threat": {"level": self.threat.level, "reasons": list(self.threat.reasons)},
        }


def compute_signals(inputs: SignalInputs, *, as_of: datetime) -> SignalSet:
    v = inputs.values
    close = float(v["close"] or 0.0)
    pulse = compute_pulse(
        [
            compute_news(inputs.news, as_of=as_of),
            compute_trend(close, v.get("sma50"), v.get("sma200"), v.get("sma50_slope_pct")),
            compute_momentum(v.get("rsi14"), v.get("return20_pct"), v.get("return20_z")),
            compute_relative_strength(
                v.get("return20_pct"), inputs.benchmark_return20_pct, v.get("rs20_pct")
            ),
        ]
    )
    heat = compute_heat(
        [(n.published_at, n.publisher, n.story_id) for n in inputs.news],
        as_of=as_of,
        weights=[n.heat_weight for n in inputs.news],
    )
    risk = compute_risk(
        close=close,
        atr14=v.get("atr14"),
        high52=v.get("high52"),
        vol_pctile=v.get("realized_vol_pctile"),
        vix=v.get("vix"),
    )
    threat = compute_threat(
        risk=risk.label,
        pulse=pulse.score,
        heat_label=heat.label,
        support_distance_atr=_support_distance(close, v.get("atr14"), inputs.support_prices),
    )
    return SignalSet(pulse, heat, risk, threat)


def _support_distance(close: float, atr: float | None, supports: Sequence[float]) -> float | None:
    below = [p for p in supports if p < close]
    if not below or not atr:
        return None
    return (close - max(below)) / atr
