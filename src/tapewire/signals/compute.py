"""All of one instrument's scores from their inputs (pure), with components for "why NN?"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from tapewire.signals.heat import Heat, compute_heat
from tapewire.signals.pulse import (
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
    news: tuple[
        tuple[datetime, str, float, float], ...
    ]  # (published_at, publisher, sentiment, relevance)
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
            compute_news([(s, r) for _, _, s, r in inputs.news]),
            compute_trend(close, v.get("sma50"), v.get("sma200")),
            compute_momentum(v.get("rsi14"), v.get("return20_pct")),
            compute_relative_strength(v.get("return20_pct"), inputs.benchmark_return20_pct),
        ]
    )
    heat = compute_heat([(t, p) for t, p, _, _ in inputs.news], as_of=as_of)
    risk = compute_risk(close=close, atr14=v.get("atr14"), high52=v.get("high52"))
    threat = compute_threat(
        risk=risk.label,
        direction=pulse.direction,
        heat_label=heat.label,
        support_distance_atr=_support_distance(close, v.get("atr14"), inputs.support_prices),
    )
    return SignalSet(pulse, heat, risk, threat)


def _support_distance(close: float, atr: float | None, supports: Sequence[float]) -> float | None:
    below = [p for p in supports if p < close]
    if not below or not atr:
        return None
    return (close - max(below)) / atr
