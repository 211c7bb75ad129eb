"""Charts: the data the interactive chart draws, and small static SVGs for no-JS readers.

``chart_data`` is the JSON ``/api/briefs/{slug}/chart`` serves to ``static/chart.js``
(TradingView's lightweight-charts): daily bars known at the brief's ``as_of``, the moving
averages its fact sheet holds, its levels labelled in words, and markers where briefs were
published. ``price_svg`` and ``pulse_svg`` are the static fallbacks (brief page without
JavaScript, Atom, email): an SVG sized in CSS pixels (``width="100%"``, fixed height, no
``viewBox``) so its text is 12 px at any width; only the line itself sits in a stretched inner
``<svg>``. Labels are placed where they cross neither the line nor each other at the narrowest
width laid out for (``NARROWEST``); a wider chart only gives them more room.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup, escape

from tapewire.market.queries import BarView
from tapewire.newsroom import queries as newsroom_queries
from tapewire.technicals.queries import LEVEL_WORDS, LevelView

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
AVERAGES = (50, 200)  # the moving averages a brief's fact sheet holds (price.sma50, price.sma200)
SESSIONS_SHOWN = 260  # about a year of daily bars in the interactive chart
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


FULL_YEAR_SESSIONS = 252  # newsroom.facts: "52-week" needs a year of sessions on record


def level_dicts(levels: Sequence[LevelView], sessions: int) -> list[dict[str, Any]]:
    """Stored levels as a brief's chart holds them, the range extremes named for the history
    behind them ("52-week high" with a year of ``sessions``, else "129-session high")."""
    span = "52-week" if sessions >= FULL_YEAR_SESSIONS else f"{sessions}-session"
    return [
        {
            "kind": lv.kind,
            "price": lv.price,
            "touches": lv.touches,
            "zone_low": lv.zone_low,
            "zone_high": lv.zone_high,
            **(
                {"label": f"{span} {'high' if lv.kind == 'high52' else 'low'}"}
                if lv.kind in ("high52", "low52")
                else {}
            ),
        }
        for lv in levels
    ]


def _sma(closes: Sequence[float], period: int) -> list[float | None]:
    out: list[float | None] = [None] * len(closes)
    total = 0.0
    for i, c in enumerate(closes):
        total += c
        if i >= period:
            total -= closes[i - period]
        if i >= period - 1:
            out[i] = total / period
    return out


@dataclass(frozen=True, slots=True)
class Published:
    """A brief on the instrument, as a chart marker: the bar it was written from."""

    slug: str
    bar_date: date
    direction: str
    pulse: float


def chart_data(
    *,
    symbol: str,
    as_of: datetime,
    bars: Sequence[BarView],
    levels: Sequence[dict[str, Any]],
    price_facts: dict[str, Any],
    briefs: Sequence[Published],
    current: str,
    sessions: int = SESSIONS_SHOWN,
    asset_class: str = "",
    name: str = "",
) -> dict[str, Any]:
    """The interactive chart's JSON. ``bars`` are the bars known at ``as_of`` (oldest first,
    with enough history before the window for the averages); nothing after ``as_of`` goes in.
    ``move_unit`` is how the legend writes a bar's change: "bp" for a yield (the writer's rule,
    ``newsroom.assets.in_basis_points``), else "%".
    """
    known = [b for b in bars if b.bar_date < as_of.date()]  # a bar dated D is known after D
    shown = known[-sessions:]
    closes = [b.close for b in known]
    decimals = price_decimals([b.close for b in shown])
    digits = max(decimals, 2) + 2  # stored float noise off, every shown digit kept
    first = len(known) - len(shown)
    averages = []
    for period in AVERAGES:
        key = f"sma{period}"
        if (key in price_facts and price_facts[key] is None) or len(known) < period:
            continue  # the fact sheet says the average is not known, or too few bars
        values = _sma(closes, period)
        points = [
            {"time": b.bar_date.isoformat(), "value": round(v, digits)}
            for b, v in zip(shown, values[first:], strict=True)
            if v is not None
        ]
        averages.append({"period": period, "label": f"{period}-day average", "points": points})
    drawn = {f"sma{a['period']}" for a in averages}  # levels drawn as lines already
    start = shown[0].bar_date if shown else None
    days = [b.bar_date for b in shown]
    markers: dict[str, dict[str, Any]] = {}
    for brief in sorted(briefs, key=lambda p: (p.bar_date, p.slug == current)):
        bar = _bar_on_or_before(days, brief.bar_date)
        if bar is None or start is None or bar < start:
            continue
        markers[bar.isoformat()] = {
            "time": bar.isoformat(),
            "slug": brief.slug,
            "direction": brief.direction,
            "pulse": round(brief.pulse),
            "current": brief.slug == current,
        }
    return {
        "symbol": symbol,
        "as_of": as_of.isoformat(),
        "last_bar": shown[-1].bar_date.isoformat() if shown else None,
        "decimals": decimals,
        "move_unit": "bp" if newsroom_queries.in_basis_points(symbol, asset_class, name) else "%",
        "bars": [
            {
                "time": b.bar_date.isoformat(),
                "open": round(b.open, digits),
                "high": round(b.high, digits),
                "low": round(b.low, digits),
                "close": round(b.close, digits),
                "volume": round(b.volume),
            }
            for b in shown
        ],
        "has_volume": any(b.volume for b in shown),
        "averages": averages,
        "levels": [
            {
                "kind": lv.get("kind"),
                "price": float(lv["price"]),
                "zone_low": lv.get("zone_low"),
                "zone_high": lv.get("zone_high"),
                "label": level_label(lv, decimals),
                "colour": LEVEL_COLOURS.get(str(lv.get("kind")), OTHER_LEVEL_COLOUR),
            }
            for lv in levels
            if lv.get("price") and lv.get("kind") not in drawn  # an average is its own line
        ],
        "markers": list(markers.values()),
    }


def _bar_on_or_before(days: Sequence[date], day: date) -> date | None:
    best = None
    for d in days:  # sorted; a few hundred at most
        if d > day:
            break
        best = d
    return best


# --- static SVG -----------------------------------------------------------------------------

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


GAP_DAYS = 7  # readings further apart than this are dots, not joined by a line
PULSE_H = 150


def pulse_svg(points: Sequence[tuple[datetime, float]]) -> Markup | None:
    """Pulse readings on a real time axis (readings years apart sit years apart), on a fixed
    0-100 scale with the Bullish (≥ 60) and Bearish (≤ 40) bands; a gap longer than
    ``GAP_DAYS`` breaks the line."""
    if len(points) < 2:
        return None
    pts = sorted(points)
    t0, t1 = pts[0][0].timestamp(), pts[-1][0].timestamp()
    span = (t1 - t0) or 1.0
    top, plot_h, axis_h = 8, PULSE_H, 22

    def y(v: float) -> float:
        return round(top + (100.0 - v) / 100.0 * plot_h, 1)

    def fx(t: datetime) -> float:  # 1%..99% of the plot: the end dots are not cut in half
        return 0.01 + 0.98 * (t.timestamp() - t0) / span

    w = PLOT * 100
    parts = [
        f'<svg class="pulse-svg" width="100%" height="{top + plot_h + axis_h}" role="img" '
        f'aria-label="Pulse from {pts[0][0]:%Y-%m-%d} to {pts[-1][0]:%Y-%m-%d} on a time axis" '
        f'font-size="{FONT}" font-family="system-ui, sans-serif">',
        f'<rect x="0" y="{y(100)}" width="{w}%" height="{y(60) - y(100)}" fill="#16a34a" '
        f'fill-opacity="0.10"/>',
        f'<rect x="0" y="{y(40)}" width="{w}%" height="{y(0) - y(40)}" fill="#dc2626" '
        f'fill-opacity="0.10"/>',
    ]
    for mark in (100.0, 60.0, 40.0, 0.0):
        parts.append(f'<line x1="0" x2="{w}%" y1="{y(mark)}" y2="{y(mark)}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="99.5%" y="{y(mark) + 4}" text-anchor="end" fill="currentColor">'
            f"{mark:.0f}</text>"
        )
    ticks = [(0.01 + 0.98 * frac, label) for frac, label in _time_ticks(pts[0][0], pts[-1][0])]
    for frac, label, anchor in _fit_ticks(ticks):
        x = round(frac * w, 2)
        parts.append(
            f'<line x1="{x}%" x2="{x}%" y1="{top}" y2="{top + plot_h + 4}" stroke="{GRID}"/>'
            f'<text x="{x}%" y="{top + plot_h + 17}" text-anchor="{anchor}" '
            f'fill="currentColor">{label}</text>'
        )
    runs: list[list[tuple[float, float]]] = [[]]
    for i, (t, v) in enumerate(pts):
        if i and (t - pts[i - 1][0]).days > GAP_DAYS:
            runs.append([])
        runs[-1].append((fx(t) * 1000, y(v) - top))
    inner = []
    for run in runs:
        if len(run) > 1:
            pl = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in run)
            inner.append(
                f'<polyline fill="none" stroke="{LINE}" stroke-width="1.6" '
                f'vector-effect="non-scaling-stroke" points="{pl}"/>'
            )
    parts.append(
        f'<svg x="0" y="{top}" width="{w}%" height="{plot_h}" viewBox="0 0 1000 {plot_h}" '
        f'preserveAspectRatio="none" overflow="visible">{"".join(inner)}</svg>'
    )
    for t, v in pts if len(pts) <= 400 else ():  # dots: a reading alone after a gap still shows
        parts.append(
            f'<circle cx="{round(fx(t) * w, 3)}%" cy="{y(v)}" r="2.5" fill="{LINE}">'
            f"<title>{t:%Y-%m-%d}: Pulse {v:.0f}</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (numbers and dates we formatted)


def _time_ticks(start: datetime, end: datetime) -> list[tuple[float, str]]:
    """Ticks on a real time axis: years when the readings span more than two, else months."""
    t0, t1 = start.timestamp(), end.timestamp()
    span = (t1 - t0) or 1.0
    max_labels = int(NARROWEST * PLOT / 56)
    if (end - start).days > 730:
        years = list(range(start.year + 1, end.year + 1))
        step = max(1, math.ceil(len(years) / max_labels))
        return [
            ((datetime(yr, 1, 1, tzinfo=start.tzinfo).timestamp() - t0) / span, str(yr))
            for yr in years[::step]
        ]
    months = []
    yr, mo = start.year, start.month
    while True:
        mo += 1
        if mo == 13:
            yr, mo = yr + 1, 1
        t = datetime(yr, mo, 1, tzinfo=start.tzinfo)
        if t > end:
            break
        months.append(t)
    step = max(1, math.ceil(len(months) / max_labels))
    return [
        (
            (t.timestamp() - t0) / span,
            f"{MONTHS[t.month - 1]} {t.year}" if t.month == 1 or n == 0 else MONTHS[t.month - 1],
        )
        for n, t in enumerate(months[::step])
    ]
