"""The fact sheet: every number, date, level, outlet and quote a brief may use (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from tapewire.enrich.queries import LinkedItem
from tapewire.enrich.sentiment import neutral_band
from tapewire.market.queries import BarView, InstrumentView
from tapewire.signals.queries import SignalView
from tapewire.technicals.queries import LevelView, TechnicalsView

MAX_SOURCES = 6
_LEVEL_FIELDS = tuple(f.name for f in fields(LevelView))  # asdict's keys, in order
SNIPPET_CHARS = 220
FULL_YEAR_SESSIONS = 252  # "52-week" and "one-year" need this many sessions on record
# Parameters the text may name ("50-day average", "RSI 14", "Pulse 57/100").
PARAMS = {
    "sma_fast_days": 50,
    "sma_slow_days": 200,
    "rsi_days": 14,
    "atr_days": 14,
    "return_days": 20,
    "return_long_days": 60,
    "range_weeks": 52,
    "pulse_max": 100,
    "threat_max": 5,
    "heat_hours": 24,
    "threat_support_atr": 1,
    "spread_days": 60,
    "macd_fast": 12,
    "macd_slow": 26,
    "macd_signal": 9,
    "bollinger_days": 20,
    "realized_vol_days": 20,
}


def build_facts(
    *,
    instrument: InstrumentView,
    technicals: TechnicalsView,
    signal: SignalView,
    news: Sequence[LinkedItem],
    benchmark: tuple[str, float | None] | None,
    as_of: datetime,
    lead_story: int | None = None,
    history: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the writers may say, JSON-ready. Nothing here is newer than ``as_of``.

    With ``lead_story`` (a hot-story brief) that story's items come first among the sources.
    ``history`` (``build_history``) says what window the stored bars cover; the range levels
    are labelled from it ("52-week high" with a full year on record, else "129-session high").
    """
    headline = story_headline(news, lead_story)
    sources = [_source(item) for item in _pick_sources(news, lead_story, headline)]
    range_label = (history or {}).get("range_label", "52-week")
    return {
        "as_of": as_of.isoformat(),
        "simulated": instrument.simulated,
        "instrument": {
            "symbol": instrument.symbol,
            "name": instrument.name,
            "asset_class": instrument.asset_class,
            "currency": instrument.currency,
            "benchmark": instrument.benchmark_symbol,
        },
        "bar_date": technicals.bar_date.isoformat(),
        "price": dict(technicals.values),
        "levels": [
            {
                **{name: getattr(lv, name) for name in _LEVEL_FIELDS},  # asdict, no deep copy
                "last_touch_date": lv.last_touch_date.isoformat() if lv.last_touch_date else None,
                **_range_label(lv.kind, range_label),
            }
            for lv in technicals.levels
        ],
        "history": history,
        "signals": {
            "pulse": signal.pulse,
            "direction": signal.direction,
            "heat": signal.heat,
            "heat_label": signal.heat_label,
            "risk": signal.risk,
            "threat": signal.threat,
            "components": signal.components,
        },
        "news": sources,
        "lead_story": lead_story,
        "lead_story_outlets": len(
            {
                src["outlet"]
                for src in sources
                if lead_story is not None and src["story_id"] == lead_story
            }
        ),
        # The lead story's representative headline (its earliest item before as_of), verbatim
        # with its outlet, for a writer to quote; that item is among ``news``.
        "lead_story_headline": _headline_fact(headline),
        "sentiment_band": neutral_band(),  # |score| at or below it is neutral in tone
        "news_outlets": sorted({src["outlet"] for src in sources}),
        "news_outlet_count": len({src["outlet"] for src in sources}),
        "benchmark": {"symbol": benchmark[0], "return20_pct": benchmark[1]} if benchmark else None,
        "params": dict(PARAMS),
    }


def _range_label(kind: str, range_label: str) -> dict[str, str]:
    if kind in ("high52", "low52"):
        return {"label": f"{range_label} {'high' if kind == 'high52' else 'low'}"}
    return {}


def build_history(bars: Sequence[BarView], *, bar_date: date) -> dict[str, Any]:
    """What the stored bars up to ``bar_date`` (the technicals window, oldest first) can support.

    ``sessions``: bars on record in the window; ``range_sessions``: the bars the range extremes
    (``price.high52``/``low52``) span, at most a year; ``full_year``: enough for "52-week" and
    "one-year" claims and the volatility percentile; ``range_label``: "52-week" or
    "129-session"; ``new_high_intraday``/``new_low_intraday``: this bar's high (low) is the
    range's; ``new_high_close``/``new_low_close``: this close is the highest (lowest) close of the
    range; ``high_close``/``low_close``: those closes.
    """
    known = [b for b in bars if b.bar_date <= bar_date]
    window = known[-FULL_YEAR_SESSIONS:]
    if not window:
        return {"sessions": 0, "range_sessions": 0, "full_year": False, "range_label": "0-session"}
    last, n = window[-1], len(window)
    full = len(known) >= FULL_YEAR_SESSIONS
    high_close = max(b.close for b in window)
    low_close = min(b.close for b in window)
    return {
        "sessions": len(known),
        "range_sessions": n,
        "full_year": full,
        "full_year_sessions": FULL_YEAR_SESSIONS,
        "range_label": "52-week" if full else f"{n}-session",
        "new_high_intraday": n > 1 and last.high >= max(b.high for b in window),
        "new_low_intraday": n > 1 and last.low <= min(b.low for b in window),
        "new_high_close": n > 1 and last.close >= high_close,
        "new_low_close": n > 1 and last.close <= low_close,
        "high_close": high_close,
        "low_close": low_close,
    }


def story_headline(news: Sequence[LinkedItem], story_id: int | None) -> LinkedItem | None:
    """The story's representative item among ``news``: its earliest (ties: lowest id)."""
    if story_id is None:
        return None
    members = [i for i in news if i.story_id == story_id]
    return min(members, key=lambda i: (i.published_at, i.item_id)) if members else None


def _headline_fact(item: LinkedItem | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "title": item.title,
        "outlet": _outlet(item),
        "published_at": item.published_at.isoformat(),
        "url": item.url,
    }


def _outlet(item: LinkedItem) -> str:
    return item.outlet or item.publisher_domain or "unknown outlet"


def _pick_sources(
    news: Sequence[LinkedItem], lead_story: int | None, headline: LinkedItem | None = None
) -> list[LinkedItem]:
    """The lead story's items first (its headline item, then each other outlet once), then the
    most relevant and newest, one per story so the sources are not the same event twice."""
    ranked = sorted(
        news,
        key=lambda i: (
            i.story_id != lead_story or lead_story is None,
            headline is None or i.item_id != headline.item_id,
            -i.relevance,
            -i.published_at.timestamp(),
            i.item_id,
        ),
    )
    picked: list[LinkedItem] = []
    seen_stories: set[int] = set()
    lead_outlets: set[str] = set()
    for item in ranked:
        if lead_story is not None and item.story_id == lead_story:
            if _outlet(item) not in lead_outlets:
                lead_outlets.add(_outlet(item))
                picked.append(item)
            continue
        if item.story_id is not None and item.story_id in seen_stories:
            continue
        if item.story_id is not None:
            seen_stories.add(item.story_id)
        picked.append(item)
    return picked[:MAX_SOURCES]


def _source(item: LinkedItem) -> dict[str, Any]:
    snippet = (
        item.summary
        if len(item.summary) <= SNIPPET_CHARS
        else item.summary[: SNIPPET_CHARS - 1] + "…"
    )
    return {
        "title": item.title,
        "snippet": snippet,
        "outlet": _outlet(item),
        "feed_title": item.publisher_name,
        "domain": item.publisher_domain,
        "published_at": item.published_at.isoformat(),
        "url": item.url,
        "sentiment": item.sentiment,
        "tone": item.tone if item.tone is not None else item.sentiment,  # toward the instrument
        "story_outlets": item.story_outlets,
        "story_id": item.story_id,
        "link_kind": item.link_kind,  # "theme": only through a theme; "tracks": what it tracks
        "via": item.via,  # for "tracks", the tracked index's name ("S&P 500")
        "themes": list(item.themes),
    }
