"""Threat 1-5 (pure): the chance of a sharp adverse move, from its inputs deterministically.

Threat = 1 + risk (Medium 1, High 2) + bearishness (Pulse <= 40 one, <= 25 two)
+ the nearest support within 1 ATR (1) + High heat (1), capped at 5. The same inputs always give
the same level, and every point is named in ``reasons`` (shown on the brief).
"""

from __future__ import annotations

from dataclasses import dataclass

BEARISH_AT = 40.0  # signals.pulse.BEARISH_AT
STRONGLY_BEARISH_AT = 25.0
SUPPORT_NEAR_ATR = 1.0


@dataclass(frozen=True, slots=True)
class Threat:
    level: int
    reasons: tuple[str, ...]


def compute_threat(
    *,
    risk: str,
    pulse: float,
    heat_label: str,
    support_distance_atr: float | None,
) -> Threat:
    reasons: list[str] = []
    level = 1
    if risk in ("Medium", "High"):
        level += 1 if risk == "Medium" else 2
        reasons.append(f"risk {risk}")
    if pulse <= STRONGLY_BEARISH_AT:
        level += 2
        reasons.append("Pulse strongly Bearish")
    elif pulse <= BEARISH_AT:
        level += 1
        reasons.append("direction Bearish")
    if support_distance_atr is not None and support_distance_atr < SUPPORT_NEAR_ATR:
        level += 1
        reasons.append("nearest support within 1 ATR")
    if heat_label == "High":
        level += 1
        reasons.append("heat High")
    return Threat(min(level, 5), tuple(reasons))
