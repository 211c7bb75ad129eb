"""Charts: the data the interactive chart draws, and small static SVGs for no-JS readers.

``chart_data`` is the JSON ``/api/briefs/{slug}/chart`` serves to ``static/chart.js``
(TradingView's lightweight-charts): daily bars known at the brief's ``as_of``, the moving
averages its fact sheet holds, its levels labelled in words, and markers where briefs were
published. ``price_svg`` (``publish.render``, re-exported here) and ``pulse_svg`` are the static
fallbacks (brief page without JavaScript, Atom, email): an SVG sized in CSS pixels (``width="100%"``, fixed height, no
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

from markupsafe import Markup

from tapewire.market.queries import BarView
from tapewire.newsroom import queries as newsroom_queries
from tapewire.publish.render import (
    AXIS_H as AXIS_H,
)
from tapewire.publish.render import (
    CHAR_W as CHAR_W,
)
from tapewire.publish.render import (
    COLOUR_NAMES as COLOUR_NAMES,
)
from tapewire.publish.render import (
    FONT as FONT,
)
from tapewire.publish.render import (
    GRID as GRID,
)
from tapewire.publish.render import (
    LEVEL_COLOURS as LEVEL_COLOURS,
)
from tapewire.publish.render import (
    LINE as LINE,
)
from tapewire.publish.render import (
    MONTHS as MONTHS,
)
from tapewire.publish.render import (
    NARROWEST as NARROWEST,
)
from tapewire.publish.render import (
    OTHER_LEVEL_COLOUR as OTHER_LEVEL_COLOUR,
)
from tapewire.publish.render import (
    PLOT as PLOT,
)
from tapewire.publish.render import (
    PLOT_H as PLOT_H,
)
from tapewire.publish.render import (
    TOP as TOP,
)
from tapewire.publish.render import (
    StaticChart as StaticChart,
)
from tapewire.publish.render import (
    _fit_ticks as _fit_ticks,
)
from tapewire.publish.render import (
    fmt_price as fmt_price,
)
from tapewire.publish.render import (
    level_kind as level_kind,
)
from tapewire.publish.render import (
    level_label as level_label,
)
from tapewire.publish.render import (
    price_decimals as price_decimals,
)
from tapewire.publish.render import (
    price_svg as price_svg,
)
from tapewire.technicals.queries import LevelView

AVERAGES = (50, 200)  # the moving averages a brief's fact sheet holds (price.sma50, price.sma200)
SESSIONS_SHOWN = 260  # about a year of daily bars in the interactive chart

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


# --- static SVG (``price_svg`` and its helpers live in ``publish.render``) ----------------------


def stored_chart(stored: tuple[str, str] | None) -> StaticChart | None:
    """A brief's static chart as rendered when it was stored (``newsroom.queries.brief_chart``)."""
    if stored is None:
        return None
    return StaticChart(Markup(stored[0]), stored[1])  # noqa: S704 (rendered by price_svg)


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
