"""The daily market brief: one brief per session for the market as a whole (issue #11 part 6).

Gather -> decide -> write -> verify -> save, like an instrument brief, from the read APIs only
(market, technicals, signals and enrich ``queries``). The assets are found by role among the
stored instruments: the large- and small-cap indices (the seed's S&P 500 against the Russell
2000, or any stored index and the index it is benchmarked to), the sector ETFs (XL*), the yield
(^TNX, else TLT or ZN=F labelled as the price proxies they are), the dollar, oil, gold, the VIX and
bitcoin (or another stored crypto). An asset that is not stored, or whose last bar is stale as of
``as_of``, is left out and the fact sheet lists it under ``missing`` with the reason: the text says
what it lacks (no data, no claim). Nothing newer than ``as_of`` is read: every query takes
``until=as_of``.

The text (``writers.market``) is verified by ``newsroom.verify``: the whole draft against the
whole fact sheet, and each "what to watch" line (levels: "support at X") against its own asset's
sheet, so a level is checked against the price of the asset it is quoted for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from tapewire.context import RunContext
from tapewire.enrich import queries as enrich_queries
from tapewire.errors import NoDataError, NoNewSessionError, VerificationError
from tapewire.market import queries as market_queries
from tapewire.market.calendar import compute_freshness
from tapewire.market.queries import BarView, InstrumentView
from tapewire.market.sanity import reviewed_bars
from tapewire.newsroom.assets import bp_change
from tapewire.newsroom.brief_index import store_brief
from tapewire.newsroom.facts import PARAMS
from tapewire.newsroom.models import Brief, FactSheet
from tapewire.newsroom.models import Verification as VerificationRow
from tapewire.newsroom.pair import compute_pair
from tapewire.newsroom.verify import Claim, Verification, verify_texts
from tapewire.newsroom.writers.base import Draft
from tapewire.newsroom.writers.market import MarketWriter, asset_sheet
from tapewire.newsroom.writers.template import read_minutes
from tapewire.signals import queries as signals_queries
from tapewire.store.upsert import AlreadyStoredError
from tapewire.technicals import queries as technicals_queries

SYMBOL = "MARKET"  # the pseudo-instrument the stage reports the market brief under
TAG = "market"
CATEGORY = "Macro"
BAR_DAYS = 200  # calendar days of bars read per asset: 60 sessions and the day before, with room
CHART_BARS = 120
TOP_STORIES = 3
STORY_HOURS = 24
LEVELS_EACH_SIDE = 2
LARGE_CAPS = ("^GSPC", "SPY", "ES=F")
SMALL_CAPS = ("^RUT", "IWM", "RTY=F")
SECTORS = {
    "XLB": "Materials",
    "XLC": "Communication Services",
    "XLE": "Energy",
    "XLF": "Financials",
    "XLI": "Industrials",
    "XLK": "Technology",
    "XLP": "Consumer Staples",
    "XLRE": "Real Estate",
    "XLU": "Utilities",
    "XLV": "Health Care",
    "XLY": "Consumer Discretionary",
}


class NoMarketIndexError(NoDataError):
    """The store holds no index a market brief could be about (not a failure of the run)."""


@dataclass(frozen=True, slots=True)
class Role:
    """One slot of the brief: the symbols that can fill it, best first, and how to label it."""

    key: str
    label: str  # what the brief calls it when it is missing ("the dollar")
    symbols: tuple[str, ...]
    labels: tuple[str, ...]  # per symbol: what it is ("10-year Treasury yield", "a price proxy")
    unit: str  # index | price | yield | proxy
    asset_class: str | None = None  # any stored instrument of this class fills it, as a last resort


ROLES = (
    Role("vix", "the VIX", ("^VIX",), ("CBOE Volatility Index",), "index"),
    Role(
        "yield",
        "Treasury yields",
        ("^TNX", "TLT", "ZN=F"),
        (
            "10-year Treasury yield",
            "long Treasury bond ETF (a price proxy for yields)",
            "10-year Treasury note future (a price proxy for yields)",
        ),
        "yield",
    ),
    Role("dollar", "the dollar", ("DX-Y.NYB",), ("US Dollar Index",), "index"),
    Role("oil", "oil", ("CL=F",), ("WTI crude oil future",), "price"),
    Role("gold", "gold", ("GC=F", "GLD"), ("Gold future", "GLD, the gold ETF"), "price"),
    Role("bitcoin", "bitcoin", ("BTC-USD",), ("Bitcoin",), "price", asset_class="Crypto"),
)


def market_view() -> InstrumentView:
    """The market as the stage's reports name it (no stored instrument)."""
    return InstrumentView(
        id=0,
        symbol=SYMBOL,
        name="The market",
        asset_class=CATEGORY,
        currency="USD",
        benchmark_symbol=None,
        aliases=(),
        simulated=False,
        trades_weekends=False,
        calendar="XNYS",
    )


def market_slug(ctx: RunContext) -> str:
    return f"market-{ctx.as_of.date().isoformat()}"


# ---------------------------------------------------------------- gather


class _Reader:
    """Reads one asset's fresh data as of ``ctx.as_of`` (bars, technicals, signal)."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.by_symbol = {i.symbol: i for i in market_queries.instruments(ctx.store)}
        self._bars: dict[int, list[BarView]] = {}

    def bars(self, inst: InstrumentView) -> list[BarView]:
        if inst.id not in self._bars:
            self._bars[inst.id] = reviewed_bars(
                self.ctx.store,
                inst.id,
                market_queries.bars(self.ctx.store, inst.id, until=self.ctx.as_of, days=BAR_DAYS),
            )
        return self._bars[inst.id]

    def freshness(self, inst: InstrumentView) -> tuple[bool, str | None]:
        """(fresh, last bar date) of the instrument as of ``as_of``."""
        bars = self.bars(inst)
        last = bars[-1].bar_date if bars else None
        fresh = compute_freshness(
            last,
            as_of=self.ctx.as_of,
            calendar=inst.calendar,
            max_behind=self.ctx.settings.market.max_trading_days_behind,
        )
        return fresh.status == "fresh", last.isoformat() if last else None

    def asset(self, inst: InstrumentView, role: str, label: str, unit: str) -> dict[str, Any]:
        bars = self.bars(inst)
        last, prev = bars[-1], bars[-2] if len(bars) > 1 else None
        tech = technicals_queries.latest(self.ctx.store, inst.id, until=self.ctx.as_of)
        current = tech is not None and tech.bar_date == last.bar_date  # a map of this session
        values = dict(tech.values) if tech is not None and current else {}
        values["close"] = last.close
        levels = _near_levels(
            tech.levels if tech is not None and current else (), last, in_bp=unit == "yield"
        )
        out: dict[str, Any] = {
            "role": role,
            "symbol": inst.symbol,
            "name": inst.name or inst.symbol,
            "label": label,
            "unit": unit,
            "asset_class": inst.asset_class,
            "bar_date": last.bar_date.isoformat(),
            "close": last.close,
            "change1d": (last.close - prev.close) if prev else None,
            "change1d_pct": (last.close / prev.close - 1.0) * 100.0 if prev else None,
            "return20_pct": _window_return(bars, 20),
            "return60_pct": _window_return(bars, 60),
            "price": values,
            "levels": levels,
        }
        if unit == "yield":
            out["yield_pct"] = last.close
            out["change1d_bp"] = round(bp_change(last.close, prev.close)) if prev else None
        return out


def _window_return(bars: Sequence[BarView], n: int) -> float | None:
    if len(bars) <= n:
        return None
    return (bars[-1].close / bars[-1 - n].close - 1.0) * 100.0


def _near_levels(
    levels: Sequence[Any], last: BarView, *, in_bp: bool = False
) -> list[dict[str, Any]]:
    """The stored levels nearest the close, up to two each side, with their distance in % (and,
    for a yield, in basis points: 4.25 is 2 bp above 4.23, not "0.6% above")."""
    below = sorted((lv for lv in levels if lv.price <= last.close), key=lambda lv: -lv.price)
    above = sorted((lv for lv in levels if lv.price > last.close), key=lambda lv: lv.price)
    out = []
    for lv in [*below[:LEVELS_EACH_SIDE], *above[:LEVELS_EACH_SIDE]]:
        near = {
            "kind": lv.kind,
            "price": lv.price,
            "touches": lv.touches,
            "distance_pct": (lv.price / last.close - 1.0) * 100.0,
        }
        if in_bp:
            near["distance_bp"] = round(bp_change(lv.price, last.close))
        out.append(near)
    return out


def _pick(reader: _Reader, symbols: Sequence[str]) -> list[InstrumentView]:
    return [reader.by_symbol[s] for s in symbols if s in reader.by_symbol]


def _indices(reader: _Reader) -> tuple[InstrumentView | None, InstrumentView | None]:
    """(large, small): the seed's pair when stored, else a stored small-cap index (its name or an
    alias says "small") and the index it is benchmarked to."""
    large = next(iter(_pick(reader, LARGE_CAPS)), None)
    small = next(iter(_pick(reader, SMALL_CAPS)), None)
    if small is None:
        small = next(
            (
                i
                for i in reader.by_symbol.values()
                if i.asset_class == "Indices"
                and any("small" in n.lower() for n in (i.name, *i.aliases))
                and i.benchmark_symbol in reader.by_symbol
                and reader.by_symbol[i.benchmark_symbol].asset_class == "Indices"
            ),
            None,
        )
    if large is None and small is not None and small.benchmark_symbol:
        large = reader.by_symbol.get(small.benchmark_symbol)
    if large is None:  # the index most stored instruments are benchmarked to, if any
        named = Counter(i.benchmark_symbol for i in reader.by_symbol.values() if i.benchmark_symbol)
        large = next(
            (
                reader.by_symbol[sym]
                for sym, _ in named.most_common()
                if sym in reader.by_symbol and reader.by_symbol[sym].asset_class == "Indices"
            ),
            None,
        )
    return large, small


def _index_label(inst: InstrumentView, role: str) -> str:
    """The index as readers know it ("S&P 500"); an instrument stored without a name (its name is
    its symbol) reads "Large-cap index (^GSPC)", never a bare role."""
    if inst.name and inst.name != inst.symbol:
        return inst.name
    return f"{role} ({inst.symbol})"


def gather_market_facts(ctx: RunContext) -> dict[str, Any]:
    """The market fact sheet as of ``ctx.as_of``.

    Raises:
        NoDataError: no fresh large-cap index: there is no market session to write about.
    """
    reader = _Reader(ctx)
    assets: dict[str, dict[str, Any]] = {}
    missing: list[dict[str, Any]] = []

    def take(role: str, what: str, candidates: list[tuple[InstrumentView, str, str]]) -> None:
        stale: tuple[InstrumentView, str | None] | None = None
        for inst, label, unit in candidates:
            fresh, last = reader.freshness(inst)
            if fresh and len(reader.bars(inst)) > 1:
                assets[role] = reader.asset(inst, role, label, unit)
                return
            stale = stale or (inst, last)
        missing.append(
            {
                "role": role,
                "label": what,
                "symbol": stale[0].symbol if stale else None,
                "last_bar": stale[1] if stale else None,
                "reason": "stale" if stale and stale[1] else "no data",
            }
        )

    large, small = _indices(reader)
    if large is None:
        raise NoMarketIndexError(
            f"{SYMBOL}: no large-cap index stored ({', '.join(LARGE_CAPS)}, or an index others "
            "are benchmarked to): no market brief"
        )
    take("large", "the large-cap index", [(large, _index_label(large, "Large-cap index"), "index")])
    if "large" not in assets:
        reason = missing[0]["symbol"] or "none of " + ", ".join(LARGE_CAPS)
        raise NoDataError(f"{SYMBOL}: no fresh large-cap index ({reason}): no market brief")
    take(
        "small",
        "the small-cap index",
        [(small, _index_label(small, "Small-cap index"), "index")] if small else [],
    )
    for role in ROLES:
        candidates = [
            (reader.by_symbol[s], label, _unit(role, s))
            for s, label in zip(role.symbols, role.labels, strict=True)
            if s in reader.by_symbol
        ]
        if role.asset_class:
            candidates += [
                (i, i.name, role.unit)
                for i in reader.by_symbol.values()
                if i.asset_class == role.asset_class and i.symbol not in role.symbols
            ]
        take(role.key, role.label, candidates)
    sectors, sector_missing = _sectors(reader)
    if sector_missing:
        missing.append(sector_missing)
    session = assets["large"]["bar_date"]
    pair = _pair(reader, assets)
    breadth = _breadth(assets["large"])
    if breadth is None:
        missing.append(
            {
                "role": "breadth",
                "label": "breadth",
                "symbol": assets["large"]["symbol"],
                "last_bar": None,
                "reason": "no stored constituents",
            }
        )
    stories, news = _top_stories(ctx, reader)
    lead = reader.by_symbol[assets["large"]["symbol"]]
    signal = signals_queries.latest(ctx.store, lead.id, until=ctx.as_of)
    chart_bars = reader.bars(lead)[-CHART_BARS:]
    names = {a["name"] for a in [*assets.values(), *sectors]} | {
        a["label"] for a in [*assets.values(), *sectors]
    }
    names |= {a["symbol"] for a in [*assets.values(), *sectors]}
    names |= {m["symbol"] for m in missing if m["symbol"]} | {m["label"] for m in missing}
    return {
        "kind": "market",
        "as_of": ctx.as_of.isoformat(),
        "simulated": any(i.simulated for i in reader.by_symbol.values()),
        "instrument": {
            "symbol": SYMBOL,
            "name": "The market",
            "asset_class": CATEGORY,
            "currency": "USD",
            "benchmark": None,
        },
        "session": session,
        "assets": assets,
        "sectors": sectors,
        "pair": pair,
        "breadth": breadth,
        "missing": missing,
        "stories": stories,
        "news": news,
        "signals": _signals(signal, lead.symbol),
        "params": dict(PARAMS),
        "names": sorted(names, key=lambda n: (-len(n), n)),  # longest first: "S&P 500" before "500"
        "chart": {
            "symbol": lead.symbol,
            "dates": [b.bar_date.isoformat() for b in chart_bars],
            "closes": [b.close for b in chart_bars],
        },
    }


def _unit(role: Role, symbol: str) -> str:
    """A yield is quoted as a yield only by ^TNX (in percent); TLT and ZN=F are price proxies."""
    if role.unit == "yield":
        return "yield" if symbol == "^TNX" else "proxy"
    return role.unit


def _sectors(reader: _Reader) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Fresh sector ETFs, best day first; a note when none is stored or all are stale."""
    stored = _pick(reader, tuple(SECTORS))
    out = []
    for inst in stored:
        fresh, _ = reader.freshness(inst)
        if fresh and len(reader.bars(inst)) > 1:
            out.append(reader.asset(inst, "sector", SECTORS[inst.symbol], "price"))
    out.sort(key=lambda a: -(a["change1d_pct"] or 0.0))
    if out:
        return out, None
    return out, {
        "role": "sectors",
        "label": "the sector ETFs",
        "symbol": None,
        "last_bar": None,
        "reason": "stale" if stored else "no data",
    }


def _pair(reader: _Reader, assets: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if "small" not in assets:
        return None
    small = reader.by_symbol[assets["small"]["symbol"]]
    large = reader.by_symbol[assets["large"]["symbol"]]
    a, b = reader.bars(small), reader.bars(large)
    pair = compute_pair(
        [x.bar_date for x in a], [x.close for x in a], [x.bar_date for x in b], [x.close for x in b]
    )
    if pair is None:
        return None
    return {"small": small.symbol, "large": large.symbol, **pair}


def _breadth(large: dict[str, Any]) -> dict[str, Any] | None:
    p = large["price"]
    if p.get("breadth_members") is None or p.get("breadth50_pct") is None:
        return None
    return {
        "index": large["symbol"],
        "members": p["breadth_members"],
        "above": p["breadth_above"],
        "above_pct": p["breadth50_pct"],
    }


def _signals(signal: signals_queries.SignalView | None, symbol: str) -> dict[str, Any]:
    if signal is None:
        return {
            "symbol": symbol,
            "pulse": 50.0,
            "direction": "Neutral",
            "heat": None,
            "heat_label": None,
            "risk": None,
            "threat": None,
            "components": {},
        }
    return {
        "symbol": symbol,
        "pulse": signal.pulse,
        "direction": signal.direction,
        "heat": signal.heat,
        "heat_label": signal.heat_label,
        "risk": signal.risk,
        "threat": signal.threat,
        "components": signal.components,
    }


def _outlet(item: enrich_queries.LinkedItem) -> str:
    named = getattr(item, "outlet", None)  # the news branch adds LinkedItem.outlet
    return str(named or item.publisher_name or item.publisher_domain)


def _top_stories(
    ctx: RunContext, reader: _Reader
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The day's stories (items of the last 24 hours linked to a stored instrument by name or by
    theme), ranked by outlets, then by the instruments they reach, then by the highest Heat among
    them, at most one single-instrument story per instrument; and their items as the brief's
    sources. Outlets are counted from the items published before ``as_of`` only."""
    since = ctx.as_of - timedelta(hours=STORY_HOURS)
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    window = enrich_queries.NewsWindow(ctx.store, since=since, until=ctx.as_of)  # one read
    for inst in reader.by_symbol.values():
        # named links and theme links: a macro story reaches the indices through its theme
        items = window.news(inst.id)
        if not items:
            continue
        signal = signals_queries.latest(ctx.store, inst.id, until=ctx.as_of)
        heat = signal.heat if signal and signal.heat is not None else 0.0
        for item in items:
            key = ("story", item.story_id) if item.story_id is not None else ("item", item.item_id)
            g = groups.setdefault(key, {"heat": 0.0, "symbols": set(), "items": {}})
            g["heat"] = max(g["heat"], heat)
            g["symbols"].add(inst.symbol)
            g["items"][item.item_id] = item
    ordered = sorted(
        groups.values(),
        key=lambda g: (
            -len({_outlet(i) for i in g["items"].values()}),  # covered by most outlets
            -len(g["symbols"]),  # reaching most instruments (a macro story reaches many)
            -g["heat"],
            -max(i.published_at.timestamp() for i in g["items"].values()),
            min(g["items"]),
        ),
    )
    ranked: list[dict[str, Any]] = []
    told: set[str] = set()
    for g in ordered:  # the day's top stories, not three about one company
        if len(g["symbols"]) == 1 and g["symbols"] <= told:
            continue
        ranked.append(g)
        told |= g["symbols"]
        if len(ranked) == TOP_STORIES:
            break
    stories, news = [], []
    for g in ranked:
        items = sorted(g["items"].values(), key=lambda i: (i.published_at, i.item_id))
        first = items[0]
        outlets = sorted({_outlet(i) for i in items})
        stories.append(
            {
                "headline": first.title,
                "outlet": _outlet(first),
                "published_at": first.published_at.isoformat(),
                "outlets": outlets,
                "outlet_count": len(outlets),
                "heat": round(g["heat"]),
                "symbols": sorted(g["symbols"]),
                "url": first.url,
            }
        )
        news.append(
            {
                "title": first.title,
                "snippet": first.summary[:219] + ("…" if len(first.summary) > 219 else ""),
                "outlet": _outlet(first),
                "domain": first.publisher_domain,
                "published_at": first.published_at.isoformat(),
                "url": first.url,
                "sentiment": first.sentiment,
                "story_outlets": len(outlets),
                "story_id": first.story_id,
            }
        )
    return stories, news


# ---------------------------------------------------------------- decide, verify, save


def _last_market_session(ctx: RunContext) -> str | None:
    """The session the latest earlier market brief was written from."""
    with ctx.store.read() as s:
        rows = s.execute(
            select(Brief.tags, FactSheet.data)
            .join(FactSheet, FactSheet.id == Brief.fact_sheet_id)
            .where(Brief.as_of < ctx.as_of, Brief.primary_tag == TAG)
            .order_by(Brief.as_of.desc())
            .limit(1)
        ).all()
    for _tags, data in rows:
        return str(data.get("session")) if data.get("session") else None
    return None


def verify_market(draft: Draft, facts: dict[str, Any]) -> Verification:
    """The draft against the sheet without the assets' technicals and levels, and each watch line
    against its own asset's sheet (its price, technicals and levels only): a number of one asset's
    map grounds nothing but that asset's watch line."""
    watch: list[tuple[str, str]] = draft.sections.get("watch_roles", [])
    scoped = {text for text, _ in watch}
    general = [t for t in draft.texts() if t not in scoped]
    claims: list[Claim] = list(verify_texts(general, _general_sheet(facts)).claims)
    for text, key in watch:
        claims.extend(verify_texts([text], asset_sheet(facts, key)).claims)
    return Verification(all(c.grounded for c in claims), tuple(claims))


def _general_sheet(facts: dict[str, Any]) -> dict[str, Any]:
    def bare(asset: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in asset.items() if k not in ("price", "levels")}

    return {
        **facts,
        "assets": {key: bare(a) for key, a in facts["assets"].items()},
        "sectors": [bare(a) for a in facts["sectors"]],
    }


def write_market_brief(ctx: RunContext, *, quiet: bool = False) -> tuple[str, bool] | None:
    """The day's market brief: write, verify and store it; returns (slug, created).

    With ``quiet`` (the stage's run), a store without any index to write about gives None: a
    watchlist of single stocks is not a failed market brief.

    Raises:
        NoDataError: no large-cap index stored (unless ``quiet``), or it is stale (the message
            says which).
        NoNewSessionError: no session since the last market brief (it still stands).
        VerificationError: the text failed verification (nothing is stored).
    """
    slug = market_slug(ctx)
    with ctx.store.read() as s:
        if s.scalar(select(Brief.id).where(Brief.slug == slug)) is not None:
            return slug, False
    try:
        facts = gather_market_facts(ctx)
    except NoMarketIndexError:
        if quiet:
            return None
        raise
    if _last_market_session(ctx) == facts["session"]:
        raise NoNewSessionError(f"{SYMBOL}: no new session since {facts['session']}")
    draft = MarketWriter().write(facts)
    verification = verify_market(draft, facts)
    if not verification.ok:
        bad = ", ".join(c.text for c in verification.failed[:5])
        raise VerificationError(f"{SYMBOL}: ungrounded claims in the market brief: {bad}")
    try:
        with ctx.store.write() as s:
            _save(s, ctx, slug, facts, draft, verification)
    except AlreadyStoredError:  # another writer on this store published it first
        return slug, False
    return slug, True


def _save(
    s: Any,
    ctx: RunContext,
    slug: str,
    facts: dict[str, Any],
    draft: Draft,
    verification: Verification,
) -> None:
    sig = facts["signals"]
    sheet = FactSheet(as_of=ctx.as_of, data=facts)
    s.add(sheet)
    s.flush()
    sections = {k: v for k, v in draft.sections.items() if k != "watch_roles"}
    brief = Brief(
        slug=slug,
        as_of=ctx.as_of,
        published_at=ctx.clock.now(),
        category=CATEGORY,
        primary_tag=draft.tags[0],
        tags=list(draft.tags),
        instruments=[],  # about the market, not one instrument: instrument pages stay theirs
        direction=sig["direction"],
        pulse=sig["pulse"],
        heat=sig["heat"],
        heat_label=sig["heat_label"],
        risk=sig["risk"],
        threat=sig["threat"],
        headline=draft.headline,
        dek=draft.dek,
        sections=sections,
        sources=facts["news"],
        chart={
            "dates": facts["chart"]["dates"],
            "closes": facts["chart"]["closes"],
            "levels": facts["assets"]["large"]["levels"],
        },
        read_minutes=read_minutes(draft),
        writer=draft.writer,
        trigger="daily",
        trigger_reason="the session's market brief",
        simulated=facts["simulated"],
        fact_sheet_id=sheet.id,
        outcome=None,
    )
    brief_id = store_brief(s, brief)  # indexed in the same transaction
    # alerts, same transaction: the market brief is a brief event under the MARKET pseudo-symbol
    ctx.emit(s, "brief", {"symbol": SYMBOL, "row": brief, "market": True})
    s.add(
        VerificationRow.of(brief_id, verification.as_dict(), notes=draft.notes, at=ctx.clock.now())
    )
