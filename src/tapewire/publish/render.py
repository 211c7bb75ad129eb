"""Pure renderers of a published brief (no I/O): its static price chart as SVG.

``price_svg`` draws a brief's stored chart (its closes up to ``as_of`` and its levels): an SVG
sized in CSS pixels (``width="100%"``, fixed height, no ``viewBox``) so its text is 12 px at any
width; only the line itself sits in a stretched inner ``<svg>``. Labels are placed where they
cross neither the line nor each other at the narrowest width laid out for (``NARROWEST``); a
wider chart only gives them more room. A brief's chart never changes once it is published, so it
is rendered once when the brief is stored (``newsroom.brief_index.store_brief``, the
``brief_chart`` table); the web serves the stored one and draws live only what has none (#16).
The web's other charts (``web.chart``) share these helpers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from tapewire.technicals.queries import LEVEL_WORDS

LEVEL_COLOURS = {
    "support": "#16a34a",
    "resistance": "#dc2626",
    "sma50": "#d97706",
    "sma200": "#8b5cf6",
    "high52": "#0891b2",
    "low52": "#0891b2",
}
OTHER_LEVEL_COLOUR = "#6b7280"  # round numbers and any other kind
COLOUR_NAMES = {
    "#16a34a": "green",
    "#dc2626": "red",
    "#d97706": "amber",
    "#8b5cf6": "violet",
    "#0891b2": "teal",
    "#6b7280": "grey",
}

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def price_decimals(prices: Sequence[float]) -> int:
    """Decimals a trader reads this price at: 0 from 1,000 up, 4 below 2 (FX), else 2."""
    typical = sorted(abs(p) for p in prices)[len(prices) // 2] if prices else 0.0
    return 0 if typical >= 1000 else 4 if typical < 2 else 2


def fmt_price(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def level_kind(kind: str) -> str:
    """A level's kind in words for a table ("50-day average", never ``sma50``); the range
    extremes are "Range high/low" there (their evidence says over how many bars)."""
    if kind in ("high52", "low52"):
        return "Range high" if kind == "high52" else "Range low"
    return LEVEL_WORDS.get(kind) or kind.replace("_", " ").strip().capitalize() or "Level"


def level_label(level: dict[str, Any], decimals: int) -> str:
    """A level in words: "Support 2,471 · 4 touches", "52-week high 5,120", never ``high52``."""
    kind = str(level.get("kind", ""))
    price = fmt_price(float(level["price"]), decimals)
    if kind in ("support", "resistance"):
        touches = int(level.get("touches") or 0)
        return f"{LEVEL_WORDS[kind]} {price} · {touches} touch{'' if touches == 1 else 'es'}"
    if kind in ("high52", "low52") and level.get("label"):  # "129-session high" on short history
        return f"{str(level['label'])[:1].upper()}{str(level['label'])[1:]} {price}"
    words = LEVEL_WORDS.get(kind) or kind.replace("_", " ").strip().capitalize() or "Level"
    return f"{words} {price}"


NARROWEST = 340  # px: a 390 px phone less the page's padding; labels are placed to fit here
FONT = 12  # px, label text at any width
CHAR_W = 7.0  # px per character at 12 px (a generous average for the system sans-serif)
PLOT = 0.84  # the plot's share of the width; the price axis takes the rest
TOP, PLOT_H, AXIS_H = 10, 268, 22  # 300 px in all: the interactive chart's height (no shift)
GRID = "#e5e7eb"
LINE = "#2563eb"


def _nice_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    raw = (hi - lo) / max(count, 1) or 1.0
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step) + 1)]


def _month_ticks(days: Sequence[date], max_labels: int) -> list[tuple[int, str]]:
    """(index, label) at the first session of a month, every n-th month so labels fit."""
    starts = [
        (i, d)
        for i, d in enumerate(days)
        if i > 0 and (d.month, d.year) != (days[i - 1].month, days[i - 1].year)
    ]
    step = 1
    while len(starts[::step]) > max_labels:
        step += 1
    return [
        (i, f"{MONTHS[d.month - 1]} {d.year}" if d.month == 1 or n == 0 else MONTHS[d.month - 1])
        for n, (i, d) in enumerate(starts[::step])
    ]


def _text_w(text: str) -> float:
    return len(text) * CHAR_W


def _tick_anchor(frac: float, text: str) -> str:
    """``text-anchor`` of a time-axis label at ``frac`` of the plot: centred on its tick, or
    starting at it when centring would cut it at the chart's left edge (at ``NARROWEST``)."""
    return "start" if frac * NARROWEST * PLOT < _text_w(text) / 2 + 2 else "middle"


def _fit_ticks(ticks: Sequence[tuple[float, str]]) -> list[tuple[float, str, str]]:
    """(plot fraction, label, ``text-anchor``) of the time ticks whose labels fit side by side at
    ``NARROWEST``: a label near the left edge starts at its tick (``_tick_anchor``); one that
    would run into the label before it is dropped, the left-edge one first, its year carried
    to the next ("Mar 2026", "May" -> "May 2026")."""
    plot = NARROWEST * PLOT

    def span(frac: float, text: str, anchor: str) -> tuple[float, float]:
        x, w = frac * plot, _text_w(text)
        return (x, x + w) if anchor == "start" else (x - w / 2, x + w / 2)

    kept: list[tuple[float, str, str]] = []
    for frac, text in ticks:
        anchor = _tick_anchor(frac, text)
        if kept and span(frac, text, anchor)[0] < span(*kept[-1])[1] + 4:
            _, first_text, first_anchor = kept[-1]
            if len(kept) > 1 or first_anchor != "start":
                continue  # this one would overlap the label before it
            kept.pop()  # the edge label gives way to a regular one
            year = first_text.partition(" ")[2]
            if year and " " not in text:
                text = f"{text} {year}"
                anchor = _tick_anchor(frac, text)
        kept.append((frac, text, anchor))
    return kept


def _place_labels(
    levels: Sequence[tuple[float, str]], ys: Sequence[float]
) -> tuple[list[tuple[float, str, float, float]], list[str]]:
    """Put each (y, text) where it crosses neither the line nor a placed label: the first of
    ``SLOTS`` spots along the plot, above or below its line. Returns (y, text, baseline, x as a
    percentage of the plot) placed, and the texts that found no room (the caption lists them).
    Widths are measured at ``NARROWEST``: wider, a label covers less of the line.

    A box is (x0, x1) in fractions of the plot's width and (y0, y1) in px. A chart tries ~130
    boxes: plain tuples, the cheap tests first, and the line's span over an index range
    computed once per range (all on every brief and instrument page, #16)."""
    width = NARROWEST * PLOT
    pad = 4 / width
    n = len(ys) - 1
    placed: list[tuple[float, float, float, float]] = []
    spans: dict[tuple[int, int], tuple[float, float]] = {}
    out: list[tuple[float, str, float, float]] = []
    left_over: list[str] = []

    def fits(x0: float, x1: float, y0: float, y1: float) -> bool:
        if not (y0 >= 0 and y1 <= TOP + PLOT_H):  # inside the plot
            return False
        key = (max(0, math.floor(x0 * n)), min(n, math.ceil(x1 * n)))
        span = spans.get(key)
        if span is None:
            part = ys[key[0] : key[1] + 1]
            span = spans[key] = (min(part), max(part))
        if not (y1 < span[0] - 1 or y0 > span[1] + 1):  # crosses the line
            return False
        return not any(
            x0 < px1 and px0 < x1 and y0 < py1 and py0 < y1 for px0, px1, py0, py1 in placed
        )

    for y, text in levels:
        spot = None
        for words in dict.fromkeys((text, text.split(" · ")[0])):  # then without the touches
            w = (_text_w(words) + 4) / width
            room = max(0.0, 1 - 2 * pad - w)
            starts = [pad + room * k / (SLOTS - 1) for k in range(SLOTS)] if room > 0 else [pad]
            spot = next(
                (
                    (x0, baseline, w, words)
                    for x0 in starts  # left to right: the first gap in the line that fits
                    for baseline in (y - 4, y + FONT + 2)  # above the level's line, else below
                    if fits(x0, x0 + w, baseline - FONT + 2, baseline + 3)
                ),
                None,
            )
            if spot is not None:
                break
        if spot is None:
            left_over.append(text)
            continue
        x0, baseline, w, words = spot
        placed.append((x0, x0 + w, baseline - FONT + 2, baseline + 3))
        out.append((y, words, baseline, round(x0 * 100, 2)))
    return out, left_over


SLOTS = 16  # candidate label positions along the plot


@dataclass(frozen=True, slots=True)
class StaticChart:
    svg: Markup
    caption: str  # the dates shown, and any level label the plot had no room for


def price_svg(chart: dict[str, Any] | None) -> StaticChart | None:
    """A brief's stored chart (its closes up to ``as_of`` and its levels) as a static SVG:
    price axis with ticks, month axis, every level line labelled in words."""
    if not chart or len(chart.get("closes", [])) < 2:
        return None
    closes = [float(c) for c in chart["closes"]]
    days = [date.fromisoformat(d[:10]) for d in chart["dates"]]
    decimals = price_decimals(closes)
    levels = [lv for lv in chart.get("levels", []) if lv.get("price")]
    lo, hi = min(closes), max(closes)
    near = [float(lv["price"]) for lv in levels if lo * 0.9 <= float(lv["price"]) <= hi * 1.1]
    lo, hi = min([lo, *near]), max([hi, *near])
    span = hi - lo or abs(hi) * 0.01 or 1.0
    lo, hi = lo - 0.06 * span, hi + 0.06 * span
    levels = [lv for lv in levels if lo <= float(lv["price"]) <= hi]

    def y(v: float) -> float:
        return round(TOP + (hi - v) / (hi - lo) * PLOT_H, 1)

    ys = [y(c) for c in closes]
    n = len(closes) - 1
    height = TOP + PLOT_H + AXIS_H
    parts = [
        f'<svg class="pxchart-svg" width="100%" height="{height}" role="img" '
        f'aria-label="Daily closes {days[0]} to {days[-1]} with the levels the brief watches" '
        f'font-size="{FONT}" font-family="system-ui, sans-serif">'
    ]
    last_y = ys[-1]
    for tick in _nice_ticks(lo, hi):
        ty = y(tick)
        parts.append(f'<line x1="0" x2="{PLOT * 100}%" y1="{ty}" y2="{ty}" stroke="{GRID}"/>')
        if abs(ty - last_y) > FONT + 2:
            parts.append(
                f'<text x="99.5%" y="{ty + 4}" text-anchor="end" fill="currentColor">'
                f"{fmt_price(tick, decimals if decimals else 0)}</text>"
            )
    months = _month_ticks(days, max_labels=int(NARROWEST * PLOT / 64))
    for frac, label, anchor in _fit_ticks([(i / n, t) for i, t in months if 0.02 <= i / n <= 0.96]):
        x = round(frac * PLOT * 100, 2)
        parts.append(
            f'<line x1="{x}%" x2="{x}%" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H + 4}" '
            f'stroke="currentColor"/><text x="{x}%" y="{TOP + PLOT_H + 17}" '
            f'text-anchor="{anchor}" fill="currentColor">{label}</text>'
        )
    ranked = sorted(
        ((y(float(lv["price"])), level_label(lv, decimals), str(lv.get("kind"))) for lv in levels),
        key=lambda t: t[0],
    )
    for ly, _, kind in ranked:
        colour = LEVEL_COLOURS.get(kind, OTHER_LEVEL_COLOUR)
        parts.append(
            f'<line x1="0" x2="{PLOT * 100}%" y1="{ly}" y2="{ly}" stroke="{colour}" '
            f'stroke-dasharray="5 4"/>'
        )
    points = " ".join(f"{i / n * 1000:.1f},{yy - TOP:.1f}" for i, yy in enumerate(ys))
    parts.append(
        f'<svg x="0" y="{TOP}" width="{PLOT * 100}%" height="{PLOT_H}" viewBox="0 0 1000 {PLOT_H}" '
        f'preserveAspectRatio="none" overflow="visible"><polyline fill="none" stroke="{LINE}" '
        f'stroke-width="1.8" vector-effect="non-scaling-stroke" points="{points}"/></svg>'
    )
    placed, left_over = _place_labels([(ly, text) for ly, text, _ in ranked], ys)
    colour_of = {text: LEVEL_COLOURS.get(kind, OTHER_LEVEL_COLOUR) for _, text, kind in ranked}
    colour_of |= {text.split(" · ")[0]: colour for text, colour in colour_of.items()}
    for _, text, baseline, x_pct in placed:
        parts.append(
            f'<text x="{round(x_pct * PLOT, 2)}%" y="{baseline}" fill="currentColor" '
            f'class="lv" stroke="#fff" stroke-width="3" paint-order="stroke">'
            f'<tspan fill="{colour_of[text]}">■</tspan> {escape(text)}</text>'
        )
    parts.append(
        f'<rect x="{PLOT * 100}%" y="{last_y - 9}" width="{(1 - PLOT) * 100}%" height="18" '
        f'fill="{LINE}" rx="2"/><text x="99.5%" y="{last_y + 4}" text-anchor="end" fill="#fff">'
        f"{fmt_price(closes[-1], decimals)}</text>"
    )
    parts.append("</svg>")
    caption = f"Daily closes, {days[0].day} {days[0]:%b %Y} to {days[-1].day} {days[-1]:%b %Y}"
    if left_over:  # lines too close to the price and each other for a label at phone width
        caption += ". Dashed lines: " + "; ".join(
            f"{text} ({COLOUR_NAMES.get(colour_of[text], 'grey')})" for text in left_over
        )
    return StaticChart(Markup("".join(parts)), caption)  # noqa: S704 (numbers; words escaped)
