"""The home page as a market desk (#15): the cross-asset strip, the Pulse heat map, the movers
and the top stories, built from stored rows only.

Every number shown comes from a stored bar, signal or story, with its date; nothing here reads
all briefs or all bars: the instruments are the watchlist (or the active instruments, capped),
and each reads its last ``CLOSES`` closes and its newest signal from their indexes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tapewire.enrich import queries as enrich_queries
from tapewire.market import queries as market_queries
from tapewire.newsroom import queries as newsroom_queries
from tapewire.signals import queries as signals_queries
from tapewire.store import Store

CLASS_ORDER = ("Indices", "ETFs", "Rates", "Forex", "Commodities", "Crypto", "Stocks")
DESK_MAX = 48  # instruments on the heat map at most
STRIP_MAX = 12  # instruments on the cross-asset strip at most
MOVERS = 6
CLOSES = 61  # 60 changes on a sparkline
MIN_SIGMA_CHANGES = 20  # earlier daily changes a mover's size is measured against
STALE_DAYS = 4  # a last close this many days before the last usable day is labelled stale
SPARK_W, SPARK_H = 120, 30


@dataclass(frozen=True, slots=True)
class Quote:
    symbol: str
    name: str
    asset_class: str
    last: float | None
    last_date: date | None
    change_pct: float | None
    change_bp: float | None  # a yield's change in basis points (newsroom.assets' rule), else None
    stale: bool
    spark: str  # SVG polyline points, "" without two closes
    spark_first: date | None
    up: bool
    price_text: str  # the last close as the page shows it ("n/a" without one)
    move_text: str  # the change as the page shows it: "+1.23%", "+5 bp" or "n/a"
    move_sigma: float | None = None  # |the day's change| in standard deviations of its recent days


@dataclass(frozen=True, slots=True)
class Tile:
    symbol: str
    name: str
    pulse: float
    direction: str
    heat: float | None
    heat_label: str | None
    as_of: datetime
    background: str  # CSS colour from Pulse
    border: int  # px, from Heat
    pulse_text: str  # "57"
    title: str  # the tile's tooltip: name, Pulse, direction, Heat, date


@dataclass(frozen=True, slots=True)
class Desk:
    strip: list[Quote]
    tiles: list[Tile]
    movers: list[Quote]
    stories: list[enrich_queries.StoryView]
    signal_date: datetime | None  # the newest signal on the heat map


def _class_rank(asset_class: str) -> int:
    return CLASS_ORDER.index(asset_class) if asset_class in CLASS_ORDER else len(CLASS_ORDER)


def desk_instruments(
    store: Store, watchlist: list[str] | tuple[str, ...]
) -> list[market_queries.InstrumentView]:
    """The watchlist in its own order, or the active instruments by asset class (capped)."""
    if watchlist:
        return market_queries.instruments_by_symbol(store, list(watchlist))[:DESK_MAX]
    insts = market_queries.active_instruments(store)
    return sorted(insts, key=lambda i: (_class_rank(i.asset_class), i.symbol))[:DESK_MAX]


def sparkline(closes: list[float]) -> str:
    """Polyline points of ``closes`` in a SPARK_W x SPARK_H box (1 px margin)."""
    if len(closes) < 2:
        return ""
    lo, hi = min(closes), max(closes)
    span = (hi - lo) or 1.0
    step = (SPARK_W - 2) / (len(closes) - 1)
    return " ".join(
        f"{1 + k * step:.1f},{1 + (SPARK_H - 2) * (hi - c) / span:.1f}"
        for k, c in enumerate(closes)
    )


def pulse_colour(pulse: float) -> str:
    """Light tints (dark text stays readable): red under 50, grey at 50, green over 50."""
    t = max(-1.0, min(1.0, (pulse - 50.0) / 30.0))
    hue = 140 if t >= 0 else 4
    return f"hsl({hue} {round(12 + 58 * abs(t))}% {round(93 - 15 * abs(t))}%)"


def price_text(v: float | None) -> str:
    """A price at the decimals its size needs: 4,512, 187.25, 1.0842."""
    if v is None:
        return "n/a"
    if v >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.2f}" if v >= 10 else f"{v:,.4f}"


def move_text(change_pct: float | None, change_bp: float | None) -> str:
    """A yield's change in basis points, any other change in percent."""
    if change_bp is not None:
        return f"{change_bp:+.0f} bp"
    return "n/a" if change_pct is None else f"{change_pct:+.2f}%"


def tile_title(name: str, pulse: float, direction: str, heat: float | None, as_of: datetime) -> str:
    heat_part = "" if heat is None else f", Heat {heat:.0f}"
    return f"{name}: Pulse {pulse:.0f} {direction}{heat_part}, as of {as_of.strftime('%Y-%m-%d')}"


def heat_border(heat: float | None) -> int:
    return 1 if heat is None else 1 + round(max(0.0, min(100.0, heat)) / 25)


def _quote(
    inst: market_queries.InstrumentView, closes: list[tuple[date, float]], last_usable: date
) -> Quote:
    last_date, last = closes[-1] if closes else (None, None)
    prev = closes[-2][1] if len(closes) >= 2 else None
    change = (last / prev - 1.0) * 100.0 if last is not None and prev else None
    in_bp = newsroom_queries.in_basis_points(inst.symbol, inst.asset_class, inst.name)
    change_bp = (
        newsroom_queries.bp_change(last, prev) if in_bp and last is not None and prev else None
    )
    stale = last_date is None or (last_usable - last_date).days > STALE_DAYS
    return Quote(
        inst.symbol,
        inst.name,
        inst.asset_class,
        last,
        last_date,
        change,
        change_bp,
        stale,
        sparkline([c for _, c in closes]),
        closes[0][0] if closes else None,
        (change or 0.0) >= 0,
        f"{last:.2f}%" if change_bp is not None and last is not None else price_text(last),
        move_text(change, change_bp),
        move_sigma([c for _, c in closes]),
    )


def move_sigma(closes: list[float]) -> float | None:
    """The last day's change in standard deviations of the daily changes before it (in % of the
    close, so a yield, a currency and a stock compare: ^TNX -5 bp is -1.17% of the yield, a big
    move for a yield and a small one for a stock). None with fewer than 20 earlier changes."""
    changes = [(b / a - 1.0) * 100.0 for a, b in itertools.pairwise(closes) if a]
    if len(changes) < MIN_SIGMA_CHANGES + 1:
        return None
    earlier = changes[:-1]
    mean = sum(earlier) / len(earlier)
    var = sum((c - mean) ** 2 for c in earlier) / (len(earlier) - 1)
    return abs(changes[-1]) / var**0.5 if var > 0 else None


def build_desk(store: Store, watchlist: list[str] | tuple[str, ...], *, now: datetime) -> Desk:
    insts = desk_instruments(store, watchlist)
    ids = [i.id for i in insts]
    closes = market_queries.recent_closes(store, ids, until=now, n=CLOSES)
    last_usable = market_queries.last_usable_date(now)
    quotes = [_quote(i, closes[i.id], last_usable) for i in insts]
    signals = signals_queries.latest_of(store, ids, until=now)
    tiles = [
        Tile(
            i.symbol,
            i.name,
            sig.pulse,
            sig.direction,
            sig.heat,
            sig.heat_label,
            sig.as_of,
            pulse_colour(sig.pulse),
            heat_border(sig.heat),
            f"{sig.pulse:.0f}",
            tile_title(i.name, sig.pulse, sig.direction, sig.heat, sig.as_of),
        )
        for i in insts
        if (sig := signals.get(i.id)) is not None
    ]
    movers = sorted(  # today's movers: a close labelled stale on the strip is not one; ranked
        # by the move against the instrument's own recent days, not by % (a yield's 1% is big)
        (q for q in quotes if q.change_pct is not None and not q.stale),
        key=lambda q: (
            q.move_sigma is None,
            -(q.move_sigma or 0.0),
            -abs(q.change_pct or 0.0),
            q.symbol,
        ),
    )[:MOVERS]
    return Desk(
        strip=quotes[:STRIP_MAX],
        tiles=tiles,
        movers=movers,
        stories=enrich_queries.top_stories(store, limit=6, window=timedelta(hours=72)),
        signal_date=max((t.as_of for t in tiles), default=None),
    )
