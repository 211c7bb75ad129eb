"""The demo world: a deterministic (seeded) simulated market with its own news (pure).

Five instruments of different asset classes, a year of daily bars, and a few dozen news items
from made-up outlets whose headlines agree with the simulated moves. ``files`` holds what the
loopback server serves: RSS/Atom feeds and Stooq-style CSV. Same inputs, same bytes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Literal
from xml.sax.saxutils import escape

from tapewire.market.calendar import is_trading_day

EPOCH = date(2024, 1, 1)  # every series starts here, so a date's bar is the same for any as_of


@dataclass(frozen=True, slots=True)
class DemoInstrument:
    symbol: str
    name: str
    asset_class: str
    currency: str
    benchmark: str | None
    stooq_symbol: str
    aliases: tuple[str, ...]
    trades_weekends: bool
    start_price: float
    beta: float  # loading on the market factor
    vol: float  # daily idiosyncratic volatility


@dataclass(frozen=True, slots=True)
class DemoOutlet:
    name: str
    domain: str
    feed_path: str
    format: Literal["rss", "atom"]


@dataclass(frozen=True, slots=True)
class DemoBar:
    bar_date: date
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True)
class DemoNewsItem:
    outlet: str
    title: str
    summary: str
    url: str
    published_at: datetime
    symbols: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoWorld:
    seed: int
    as_of: datetime
    instruments: tuple[DemoInstrument, ...]
    outlets: tuple[DemoOutlet, ...]
    bars: Mapping[str, tuple[DemoBar, ...]]
    news: tuple[DemoNewsItem, ...]
    files: Mapping[str, tuple[bytes, str]]


INSTRUMENTS = (
    DemoInstrument(
        "^MKT",
        "Demo Market 500",
        "Indices",
        "USD",
        None,
        "^mkt",
        ("Market 500", "blue chips", "the broad market"),
        False,
        3250.0,
        1.0,
        0.0,
    ),
    DemoInstrument(
        "^SMC",
        "Demo Small Cap 2000",
        "Indices",
        "USD",
        "^MKT",
        "^smc",
        ("Small Cap 2000", "small caps", "small-cap stocks"),
        False,
        1100.0,
        1.25,
        0.006,
    ),
    DemoInstrument(
        "MKTX",
        "Demo Market 500 ETF",
        "ETFs",
        "USD",
        "^MKT",
        "mktx.us",
        ("Market 500 ETF",),
        False,
        325.0,
        1.0,
        0.0004,
    ),
    DemoInstrument(
        "ACME",
        "Acme Robotics Inc.",
        "Stocks",
        "USD",
        "^MKT",
        "acme.us",
        ("Acme Robotics", "Acme"),
        False,
        87.0,
        1.3,
        0.016,
    ),
    DemoInstrument(
        "DCN-USD",
        "DemoCoin / US Dollar",
        "Crypto",
        "USD",
        None,
        "dcn-usd",
        ("DemoCoin",),
        True,
        190000.0,
        0.4,
        0.032,
    ),
)
OUTLETS = (
    DemoOutlet("The Daily Ledger", "dailyledger.example", "/feeds/dailyledger.xml", "rss"),
    DemoOutlet("Harbor Street Journal", "harborstreet.example", "/feeds/harborstreet.xml", "atom"),
    DemoOutlet("Tickertape Times", "tickertape.example", "/feeds/tickertape.xml", "rss"),
    DemoOutlet("Market Pulse Review", "marketpulse.example", "/feeds/marketpulse.xml", "atom"),
    DemoOutlet("Coinwire", "coinwire.example", "/feeds/coinwire.xml", "rss"),
)
MARKET_VOL = 0.009
UP_VERBS = ("rises", "climbs", "gains", "advances", "rallies", "jumps")
DOWN_VERBS = ("falls", "slides", "drops", "slips", "retreats", "tumbles")
UP_HOOKS = ("as buyers return", "on upbeat demand", "in a broad advance", "as optimism builds")
DOWN_HOOKS = ("as sellers press", "amid growth fears", "in a broad pullback", "as caution spreads")


def _trading_days(start: date, end: date, *, weekends: bool) -> list[date]:
    days, day = [], start
    while day < end:
        open_day = weekends or is_trading_day(day, "XNYS")
        if open_day:
            days.append(day)
        day += timedelta(days=1)
    return days


def _drift(day: date) -> float:
    """Daily market drift as a function of the date only: slow cycles of trend and pullback."""
    t = (day - EPOCH).days
    return (
        0.0003
        + 0.0011 * math.sin(2 * math.pi * t / 233.0)
        + 0.0004 * math.sin(2 * math.pi * t / 71.0)
    )


def _market_returns(days: list[date], seed: int) -> dict[date, float]:
    rng = random.Random(f"{seed}:market")  # noqa: S311 (a simulation, not crypto)
    return {d: _drift(d) + rng.gauss(0.0, MARKET_VOL) for d in days}


def _bars_for(
    inst: DemoInstrument, days: list[date], market: dict[date, float], seed: int
) -> tuple[DemoBar, ...]:
    """Bars from EPOCH on, each instrument with its own stream: a date's bar never depends on as_of."""
    rng = random.Random(f"{seed}:{inst.symbol}")  # noqa: S311 (a simulation, not crypto)
    close = inst.start_price
    sigma = max(inst.vol, MARKET_VOL * inst.beta)
    out = []
    for day in days:
        r = inst.beta * market.get(day, 0.0) + rng.gauss(0.0, inst.vol)
        if inst.trades_weekends:
            r += 0.0008  # a drift of its own
        prev, close = close, close * (1.0 + r)
        open_ = prev * (1.0 + rng.gauss(0.0, sigma * 0.25))
        high = max(open_, close) * (1.0 + abs(rng.gauss(0.0, sigma * 0.4)))
        low = min(open_, close) * (1.0 - abs(rng.gauss(0.0, sigma * 0.4)))
        o, h, lo, c = (round(v, 2) for v in (open_, high, low, close))
        volume = float(
            int(
                rng.uniform(0.7, 1.3)
                * (2_000_000_000 if inst.symbol.startswith("^") else 30_000_000)
            )
        )
        out.append(DemoBar(day, o, max(h, o, c), min(lo, o, c), c, volume))
    return tuple(out)


def _slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())[:80]


def _move_items(
    inst: DemoInstrument, prev: DemoBar, bar: DemoBar, rng: random.Random
) -> list[tuple[str, str, str]]:
    """(outlet, title, summary) for one instrument's move on one day; 1-3 outlets cover it."""
    pct = (bar.close / prev.close - 1.0) * 100.0
    up = pct >= 0
    verbs, hooks = (UP_VERBS, UP_HOOKS) if up else (DOWN_VERBS, DOWN_HOOKS)
    outlets = [
        o
        for o in OUTLETS
        if (o.name == "Coinwire") == inst.trades_weekends or o.name == "The Daily Ledger"
    ]
    n = 3 if abs(pct) > 1.5 else 2 if abs(pct) > 0.6 else 1
    chosen = rng.sample(outlets, min(n, len(outlets)))
    alias = inst.aliases[0]
    items = []
    for k, outlet in enumerate(chosen):
        name = inst.name if k == 0 else alias
        title = f"{name} {rng.choice(verbs)} {abs(pct):.1f}% {rng.choice(hooks)}"
        summary = (
            f"<p>{escape(name)} {'closed higher' if up else 'closed lower'} at <b>{bar.close:,.2f}</b>, "
            f"{'up' if up else 'down'} {abs(pct):.1f}% on the session &amp; "
            f"{'extending' if (bar.close > bar.open) == up else 'reversing'} its intraday move.</p>"
        )
        items.append((outlet.name, title, summary))
    return items


def _wrap_item(
    day: date, market_pct: float, small_pct: float, rng: random.Random
) -> tuple[str, str, str]:
    tone = "blue chips lead" if market_pct > small_pct else "small caps lead"
    way = "higher" if market_pct >= 0 else "lower"
    title = f"Stocks close {way} as {tone}; the broad market {'gains' if market_pct >= 0 else 'falls'} {abs(market_pct):.1f}%"
    summary = (
        f"Market wrap for {day:%A}: the Market 500 moved {market_pct:+.1f}% while small caps moved "
        f"{small_pct:+.1f}%. Traders watched Acme Robotics and the Market 500 ETF."
    )
    return rng.choice(["Market Pulse Review", "Harbor Street Journal"]), title, summary


def _news(
    as_of: datetime, news_days: int, bars: Mapping[str, tuple[DemoBar, ...]], seed: int
) -> tuple[DemoNewsItem, ...]:
    """Items of the ``news_days`` days before as_of; a day's items depend on (seed, day) only."""
    domains = {o.name: o.domain for o in OUTLETS}
    items: list[DemoNewsItem] = []
    for back in range(news_days, 0, -1):
        day = as_of.date() - timedelta(days=back)
        rng = random.Random(f"{seed}:news:{day.isoformat()}")  # noqa: S311 (a simulation)
        minute = 0
        for inst in INSTRUMENTS:
            series = {b.bar_date: i for i, b in enumerate(bars[inst.symbol])}
            if day not in series or series[day] == 0:
                continue
            i = series[day]
            for outlet, title, summary in _move_items(
                inst, bars[inst.symbol][i - 1], bars[inst.symbol][i], rng
            ):
                minute += rng.randint(7, 41)
                at = datetime(day.year, day.month, day.day, 20, 15, tzinfo=UTC) + timedelta(
                    minutes=minute
                )
                url = f"https://{domains[outlet]}/{day:%Y/%m/%d}/{_slug(title)}"
                items.append(DemoNewsItem(outlet, title, summary, url, at, (inst.symbol,)))
        if day in {b.bar_date for b in bars["^MKT"]}:
            m = _pct_on(bars["^MKT"], day)
            s = _pct_on(bars["^SMC"], day)
            outlet, title, summary = _wrap_item(day, m, s, rng)
            at = datetime(day.year, day.month, day.day, 21, 5, tzinfo=UTC)
            url = f"https://{domains[outlet]}/{day:%Y/%m/%d}/{_slug(title)}"
            items.append(
                DemoNewsItem(outlet, title, summary, url, at, ("^MKT", "^SMC", "ACME", "MKTX"))
            )
    return tuple(sorted(items, key=lambda it: (it.published_at, it.url), reverse=True))


def _pct_on(series: tuple[DemoBar, ...], day: date) -> float:
    i = next(k for k, b in enumerate(series) if b.bar_date == day)
    return (series[i].close / series[i - 1].close - 1.0) * 100.0 if i else 0.0


def build_world(
    *, seed: int = 7, as_of: datetime, bar_days: int = 365, news_days: int = 5
) -> DemoWorld:
    """The whole world for (seed, as_of): bars before ``as_of``'s day, news before ``as_of``.

    Raises:
        ValueError: ``as_of`` is not a UTC midnight.
    """
    if (
        as_of.tzinfo is None
        or as_of.utcoffset() != timedelta(0)
        or as_of.time() != datetime.min.time()
    ):
        raise ValueError("the demo's as_of must be a UTC midnight (tz-aware)")
    all_days = _trading_days(EPOCH, as_of.date(), weekends=True)
    weekdays = _trading_days(EPOCH, as_of.date(), weekends=False)
    market = _market_returns(all_days, seed)
    first = as_of.date() - timedelta(days=bar_days)
    bars = {
        inst.symbol: tuple(
            b
            for b in _bars_for(inst, all_days if inst.trades_weekends else weekdays, market, seed)
            if b.bar_date >= first
        )
        for inst in INSTRUMENTS
    }
    news = _news(as_of, news_days, bars, seed)
    files = _files(bars, news, as_of)
    return DemoWorld(seed, as_of, INSTRUMENTS, OUTLETS, bars, news, files)


# ---------------------------------------------------------------- serialisation


def _csv(series: tuple[DemoBar, ...]) -> bytes:
    rows = ["Date,Open,High,Low,Close,Volume"]
    rows += [
        f"{b.bar_date.isoformat()},{b.open:.2f},{b.high:.2f},{b.low:.2f},{b.close:.2f},{int(b.volume)}"
        for b in series
    ]
    return ("\n".join(rows) + "\n").encode()


def _rss(outlet: DemoOutlet, items: list[DemoNewsItem], updated: datetime) -> bytes:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.url)}</link>"
        f'<guid isPermaLink="true">{escape(i.url)}</guid><pubDate>{format_datetime(i.published_at, usegmt=True)}</pubDate>'
        f"<description>{escape(i.summary)}</description></item>\n"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(outlet.name)}</title><link>https://{outlet.domain}/</link>"
        f"<description>Simulated demo outlet</description><lastBuildDate>{format_datetime(updated, usegmt=True)}</lastBuildDate>\n"
        f"{entries}</channel></rss>\n"
    ).encode()


def _atom(outlet: DemoOutlet, items: list[DemoNewsItem], updated: datetime) -> bytes:
    entries = "".join(
        f'<entry><title>{escape(i.title)}</title><link rel="alternate" href="{escape(i.url)}"/>'
        f"<id>{escape(i.url)}</id><published>{i.published_at.isoformat()}</published>"
        f'<updated>{i.published_at.isoformat()}</updated><summary type="html">{escape(i.summary)}</summary></entry>\n'
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(outlet.name)}</title><id>https://{outlet.domain}/</id>"
        f'<link rel="alternate" href="https://{outlet.domain}/"/><updated>{updated.isoformat()}</updated>\n'
        f"{entries}</feed>\n"
    ).encode()


def _files(
    bars: Mapping[str, tuple[DemoBar, ...]], news: tuple[DemoNewsItem, ...], as_of: datetime
) -> dict[str, tuple[bytes, str]]:
    files: dict[str, tuple[bytes, str]] = {}
    for inst in INSTRUMENTS:
        files[f"/q/d/l/?s={inst.stooq_symbol}"] = (_csv(bars[inst.symbol]), "text/csv")
    for outlet in OUTLETS:
        items = [i for i in news if i.outlet == outlet.name]
        updated = items[0].published_at if items else as_of - timedelta(days=1)
        body, ctype = (
            (_rss(outlet, items, updated), "application/rss+xml; charset=utf-8")
            if outlet.format == "rss"
            else (_atom(outlet, items, updated), "application/atom+xml; charset=utf-8")
        )
        files[outlet.feed_path] = (body, ctype)
    listing = "".join(f'<li><a href="{escape(k)}">{escape(k)}</a></li>' for k in sorted(files))
    files["/"] = (
        f"<!doctype html><title>tapewire demo data</title><ul>{listing}</ul>".encode(),
        "text/html; charset=utf-8",
    )
    return files
