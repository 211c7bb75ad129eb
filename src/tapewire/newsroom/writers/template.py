"""The deterministic writer: fact sheet -> brief text, with variety chosen by a stable hash.

Every number it writes is formatted from the fact sheet with ``fmt_*``; the verifier checks it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Any

from tapewire.newsroom.writers.base import Draft, fmt_date, fmt_pct, fmt_price

WORDS_PER_MINUTE = 200


def _pick(options: Sequence[str], facts: dict[str, Any], salt: str) -> str:
    """A stable choice per (instrument, as_of, salt): varied across briefs, same on rerun."""
    key = f"{facts['instrument']['symbol']}|{facts['as_of']}|{salt}".encode()
    return options[int(hashlib.sha256(key).hexdigest(), 16) % len(options)]


def _move_verb(change: float, facts: dict[str, Any]) -> str:
    if abs(change) < 0.05:
        return "holds steady"
    if change > 0:
        return _pick(
            ["rises", "climbs", "gains", "advances"]
            if change < 1.5
            else ["jumps", "rallies", "surges"],
            facts,
            "up",
        )
    return _pick(
        ["slips", "eases", "dips", "edges lower"]
        if change > -1.5
        else ["falls", "slides", "drops", "tumbles"],
        facts,
        "down",
    )


def _headline(f: dict[str, Any]) -> str:
    name, p = f["instrument"]["name"], f["price"]
    verb = _move_verb(p["change_pct"], f)
    if abs(p["change_pct"]) < 0.05:
        return f"{name} {verb} at {fmt_price(p['close'])}"
    direction = f["signals"]["direction"]
    agrees = (direction == "Bullish") == (p["change_pct"] > 0)
    if direction == "Neutral":
        hooks = ["in a mixed tape", "with no clear trend", "as traders wait for a break"]
    elif agrees:
        hooks = ["with momentum on its side", "extending its trend", "as the trend holds"]
    else:
        hooks = [
            f"against a {direction} read",
            f"but the broader read stays {direction}",
            f"in a move against its {direction} trend",
        ]
    return f"{name} {verb} {fmt_pct(p['change_pct'])} to {fmt_price(p['close'])} {_pick(hooks, f, 'hook')}"


def _dek(f: dict[str, Any]) -> str:
    s, p = f["signals"], f["price"]
    trend = ""
    if p.get("sma50") is not None:
        side = "above" if p["close"] >= p["sma50"] else "below"
        trend = f" It closed {side} its 50-day average of {fmt_price(p['sma50'])}."
    return (
        f"Pulse {s['pulse']:.0f}/100 reads {s['direction']}, heat is {s['heat_label']} and "
        f"risk {s['risk']}, for a Threat Level of {s['threat']}/5.{trend}"
    )


def _price_action(f: dict[str, Any]) -> str:
    name, p = f["instrument"]["name"], f["price"]
    day = "up" if p["change_pct"] >= 0 else "down"
    text = f"{name} closed at {fmt_price(p['close'])} on {fmt_date(f['bar_date'])}, {day} {fmt_pct(p['change_pct'])} on the day"
    if p.get("return20_pct") is not None:
        way = "a gain" if p["return20_pct"] >= 0 else "a loss"
        text += f", for {way} of {fmt_pct(p['return20_pct'])} over 20 sessions"
    return text + "."


def _news_paragraph(f: dict[str, Any]) -> str:
    news = f["news"]
    if not news:
        return "No news items about it were found before the cut-off, so the score rests on price alone."
    outlets = f["news_outlets"]
    lead = news[0]
    tone = (
        "upbeat"
        if (lead["sentiment"] or 0) > 0.15
        else "downbeat"
        if (lead["sentiment"] or 0) < -0.15
        else "neutral"
    )
    text = f"Coverage came from {_count(len(outlets), 'outlet')}: {_join(outlets)}. "
    text += f"The most relevant item, from {lead['outlet']} on {fmt_date(lead['published_at'][:10])}, is {tone} in tone"
    if lead["story_outlets"] > 1:
        text += f", and the same story ran at {_count(lead['story_outlets'], 'outlet')}"
    return text + "."


def _drivers(f: dict[str, Any]) -> str:
    p = f["price"]
    parts = []
    if p.get("sma50") is not None and p.get("sma200") is not None:
        rel = "above" if p["sma50"] >= p["sma200"] else "below"
        parts.append(
            f"the 50-day average ({fmt_price(p['sma50'])}) sits {rel} the 200-day ({fmt_price(p['sma200'])})"
        )
    if p.get("rsi14") is not None:
        zone = "overbought" if p["rsi14"] >= 70 else "oversold" if p["rsi14"] <= 30 else "neutral"
        parts.append(f"RSI 14 is {p['rsi14']:.1f}, in {zone} territory")
    return ("Under the surface, " + "; ".join(parts) + ".") if parts else ""


def _watch(f: dict[str, Any]) -> list[str]:
    out = []
    labels = {
        "support": "Support",
        "resistance": "Resistance",
        "round": "Round number",
        "sma50": "50-day average",
        "sma200": "200-day average",
        "high52": "52-week high",
        "low52": "52-week low",
    }
    for lv in f["levels"]:
        line = f"{labels[lv['kind']]} {fmt_price(lv['price'])}"
        if lv["kind"] not in ("high52", "low52") and lv["touches"] and lv["last_touch_date"]:
            line += f" ({_count(lv['touches'], 'touch', 'touches')}, last on {fmt_date(lv['last_touch_date'])})"
        elif lv["kind"] in ("high52", "low52") and lv["last_touch_date"]:
            line += f" (set on {fmt_date(lv['last_touch_date'])})"
        out.append(line)
    p, risk = f["price"], f["signals"]["components"]["risk"]
    if p.get("atr14") is not None and risk.get("atr_pct") is not None:
        out.append(
            f"Volatility: ATR 14 is {fmt_price(p['atr14'])}, or {fmt_pct(risk['atr_pct'])} of price"
        )
    return out


def _risks(f: dict[str, Any]) -> list[str]:
    risk = f["signals"]["components"]["risk"]
    out = []
    if risk.get("drawdown_pct") is not None:
        out.append(f"It trades {fmt_pct(risk['drawdown_pct'])} below its 52-week high.")
    supports = [lv for lv in f["levels"] if lv["kind"] == "support"]
    if supports:
        out.append(
            f"A close below support at {fmt_price(supports[0]['price'])} would break the nearest floor."
        )
    reasons = f["signals"]["components"]["threat"]["reasons"]
    if reasons:
        out.append("Threat drivers: " + ", ".join(reasons) + ".")
    return out


def _opportunities(f: dict[str, Any]) -> list[str]:
    out = []
    bench, p = f.get("benchmark"), f["price"]
    if bench and bench.get("return20_pct") is not None and p.get("return20_pct") is not None:
        diff = p["return20_pct"] - bench["return20_pct"]
        leader = "outperformed" if diff >= 0 else "lagged"
        out.append(
            f"Over 20 sessions it {leader} {bench['symbol']} ({fmt_pct(p['return20_pct'])} "
            f"{'up' if p['return20_pct'] >= 0 else 'down'} against {fmt_pct(bench['return20_pct'])} "
            f"{'up' if bench['return20_pct'] >= 0 else 'down'})."
        )
    resist = [lv for lv in f["levels"] if lv["kind"] == "resistance"]
    if resist:
        out.append(
            f"A close above resistance at {fmt_price(resist[0]['price'])} would open the way higher."
        )
    return out


def _take(f: dict[str, Any]) -> str:
    return {
        "Bullish": _pick(
            [
                "The tape favours the bulls while support holds.",
                "Trend and momentum agree: the bias is up while support holds.",
            ],
            f,
            "take",
        ),
        "Bearish": _pick(
            [
                "Sellers have the upper hand until resistance is reclaimed.",
                "The bias is down; a reclaim of resistance would change that.",
            ],
            f,
            "take",
        ),
        "Neutral": _pick(
            [
                "No edge either way: let the levels decide.",
                "A range-bound read: wait for a break of the levels above or below.",
            ],
            f,
            "take",
        ),
    }[f["signals"]["direction"]]


def _tags(f: dict[str, Any]) -> tuple[str, ...]:
    inst = f["instrument"]
    symbol_tag = inst["symbol"].lower().lstrip("^").replace("=", "-").replace(".", "-")
    tags = [symbol_tag, inst["asset_class"].lower(), f["signals"]["direction"].lower()]
    if f["signals"]["heat_label"] == "High":
        tags.append("hot")
    return tuple(dict.fromkeys(tags))


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class TemplateWriter:
    """Deterministic writer: same facts, same brief."""

    name = "template"

    def write(self, facts: dict[str, Any]) -> Draft:
        s = facts["signals"]
        opening = (
            f"Pulse {s['pulse']:.0f}/100 ({s['direction']}), heat {s['heat']:.0f} {s['heat_label']}, "
            f"risk {s['risk']}, Threat Level {s['threat']}/5."
        )
        analysis = [opening, _price_action(facts), _news_paragraph(facts), _drivers(facts)]
        return Draft(
            headline=_headline(facts),
            dek=_dek(facts),
            sections={
                "analysis": [a for a in analysis if a],
                "watch": _watch(facts),
                "risks": _risks(facts),
                "opportunities": _opportunities(facts),
                "take": _take(facts),
            },
            tags=_tags(facts),
            writer=self.name,
        )


def read_minutes(draft: Draft) -> int:
    words = sum(len(t.split()) for t in draft.texts())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
