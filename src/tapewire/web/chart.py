"""A brief's price chart with its Watch levels, as inline SVG (no JavaScript needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

WIDTH, HEIGHT, PAD = 640, 240, 28


@dataclass(frozen=True, slots=True)
class ChartLine:
    y: float
    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class ChartSvg:
    width: int
    height: int
    points: str
    lines: tuple[ChartLine, ...]
    first_date: str
    last_date: str


def render_chart(chart: dict[str, Any] | None) -> ChartSvg | None:
    """Scale closes and in-range levels into SVG coordinates."""
    if not chart or len(chart.get("closes", [])) < 2:
        return None
    closes = [float(c) for c in chart["closes"]]
    levels = [lv for lv in chart.get("levels", []) if lv.get("price")]
    lo, hi = min(closes), max(closes)
    span = hi - lo or 1.0
    lo, hi = lo - 0.15 * span, hi + 0.15 * span
    levels = [lv for lv in levels if lo <= float(lv["price"]) <= hi]

    def y(v: float) -> float:
        return round(PAD + (hi - v) / (hi - lo) * (HEIGHT - 2 * PAD), 1)

    step = (WIDTH - 2 * PAD) / (len(closes) - 1)
    points = " ".join(f"{PAD + i * step:.1f},{y(c)}" for i, c in enumerate(closes))
    lines = _spaced_labels(
        sorted(
            (
                ChartLine(
                    y(float(lv["price"])), f"{lv['kind']} {float(lv['price']):,.2f}", lv["kind"]
                )
                for lv in levels
            ),
            key=lambda ln: ln.y,
        )
    )
    return ChartSvg(WIDTH, HEIGHT, points, lines, chart["dates"][0], chart["dates"][-1])


LABEL_GAP = 11.0  # px between two level labels; closer ones keep their line but drop the label


def _spaced_labels(lines: list[ChartLine]) -> tuple[ChartLine, ...]:
    out: list[ChartLine] = []
    last_y = -LABEL_GAP
    for line in lines:
        if line.y - last_y >= LABEL_GAP:
            out.append(line)
            last_y = line.y
        else:
            out.append(ChartLine(line.y, "", line.kind))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class HistorySvg:
    width: int
    height: int
    points: str
    y60: float  # the Bullish line
    y40: float  # the Bearish line
    first: str
    last: str
    count: int


def render_history(points: list[tuple[datetime, float]]) -> HistorySvg | None:
    """Pulse over time on a fixed 0-100 scale, with the 40 and 60 lines."""
    if len(points) < 2:
        return None
    height = 140

    def y(v: float) -> float:
        return round(PAD / 2 + (100.0 - v) / 100.0 * (height - PAD), 1)

    step = (WIDTH - 2 * PAD) / (len(points) - 1)
    line = " ".join(f"{PAD + i * step:.1f},{y(v)}" for i, (_, v) in enumerate(points))
    return HistorySvg(
        WIDTH,
        height,
        line,
        y(60),
        y(40),
        f"{points[0][0]:%Y-%m-%d}",
        f"{points[-1][0]:%Y-%m-%d}",
        len(points),
    )
