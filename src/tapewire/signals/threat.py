"""Threat 1-5 (pure): the chance of a sharp adverse move, from its inputs deterministically."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Threat:
    level: int
    reasons: tuple[str, ...]


def compute_threat(
    *, risk: str, direction: str, heat_label: str, support_distance_atr: float | None
) -> Threat:
    """1 + risk (Medium 1, High 2) + Bearish 1 + support within 1 ATR 1 + High heat 1, capped at 5."""
    reasons: list[str] = []
    level = 1
    if risk in ("Medium", "High"):
        level += 1 if risk == "Medium" else 2
        reasons.append(f"risk {risk}")
    if direction == "Bearish":
        level += 1
        reasons.append("direction Bearish")
    if support_distance_atr is not None and support_distance_atr < 1.0:
        level += 1
        reasons.append("nearest support within 1 ATR")
    if heat_label == "High":
        level += 1
        reasons.append("heat High")
    return Threat(min(level, 5), tuple(reasons))
