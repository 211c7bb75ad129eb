"""The deterministic writer: fact sheet -> brief text.

A brief leads with the day's most notable fact (``writers.situations``): linked news quoted
verbatim with its outlet and date and the move since, a level break, a turn of Pulse, a one-year
extreme, an outsized move, a divergence from the benchmark, a streak, a 20-session high or low,
a volatility extreme, else an ordinary or quiet day. Headline, summary, lede and Take are built
from that situation; the words follow the asset class (``newsroom.assets``: a rising VIX is
fear, a rising yield a bond sell-off). The scores are said once, in the body. Sections say only
what the facts hold (no breadth line without breadth, no pair idea without a measured spread).
Phrasings are chosen by a stable hash of symbol and date, so a rerun is identical. Every number
is formatted from the fact sheet and checked by the verifier.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tapewire.newsroom import assets
from tapewire.newsroom.pair import instrument_pair_sentence
from tapewire.newsroom.writers import situations
from tapewire.newsroom.writers.base import Draft, fmt_date, fmt_pct, fmt_price
from tapewire.newsroom.writers.claims import full_year, level_label, range_label, sessions_note
from tapewire.newsroom.writers.phrases import pick
from tapewire.newsroom.writers.situations import px
from tapewire.technicals.levels import LEVEL_WORDS

WORDS_PER_MINUTE = 200
PAIR_MIN_RS_PCT = 2.0  # a pair idea needs the ratio to have moved this much over 20 sessions
PAIR_MIN_Z = 1.0  # ... and the spread to sit this many standard deviations from its mean
PAIR_STRETCHED_Z = 2.0  # beyond this, the spread is stretched: a mean-reversion risk
LEVEL_LABELS = LEVEL_WORDS
# Tags a reader follows, by symbol (DESIGN: `sp500`, `small-caps`, ...).
SYMBOL_TAGS = {
    "^GSPC": ("sp500",),
    "SPY": ("sp500",),
    "ES=F": ("sp500", "futures"),
    "^RUT": ("small-caps", "russell-2000"),
    "IWM": ("small-caps", "russell-2000"),
    "RTY=F": ("small-caps", "futures"),
    "^IXIC": ("nasdaq", "tech"),
    "QQQ": ("nasdaq", "tech"),
    "^DJI": ("dow",),
    "^VIX": ("volatility",),
    "GC=F": ("gold",),
    "GLD": ("gold",),
    "BTC-USD": ("bitcoin", "crypto"),
    "HYG": ("credit",),
    "LQD": ("credit",),
    "TLT": ("rates", "treasuries"),
    "^TNX": ("rates", "treasuries"),
    "DX-Y.NYB": ("dollar",),
    "NQ=F": ("nasdaq", "futures"),
    "YM=F": ("dow", "futures"),
}


def _count(n: int | float, one: str, many: str | None = None) -> str:
    return f"{n:.0f} {one if round(n) == 1 else (many or one + 's')}"


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _updown(value: float) -> str:
    return "up" if value >= 0 else "down"


def _change(value: float) -> str:
    """ "up 2.3%", "down 0.4%", "flat" (under 0.05 %, which would print as 0.0%)."""
    return "flat" if abs(value) < 0.05 else f"{_updown(value)} {fmt_pct(value)}"


# ---------------------------------------------------------------- headline and dek


def _extreme(f: dict[str, Any]) -> str | None:
    """The year's extreme set on this very bar, when a headline may lead with it: a full year of
    sessions on record, the bar set the high (low) and closed at the range's highest (lowest)
    close, so the close moved the same way. The headline words it as an intraday extreme (its
    price is the bar's high or low)."""
    history = f.get("history") or {}
    if not history.get("full_year"):
        return None  # "52-week" needs a year on record; the move headline says what happened
    for lv in f["levels"]:
        if lv["kind"] in ("high52", "low52") and lv.get("last_touch_date") == f["bar_date"]:
            side = "high" if lv["kind"] == "high52" else "low"
            change = f["price"]["change_pct"]
            with_close = change > 0 if side == "high" else change < 0
            if history.get(f"new_{side}_close") and with_close:
                return str(lv["kind"])
    return None


def _headline(f: dict[str, Any]) -> str:
    extreme = _extreme(f)
    kind = situations.rank_situations(f, extreme)[0][1]
    return situations.headline(f, kind, extreme)


def _dek(f: dict[str, Any]) -> str:
    """The summary line, built from the day's situation (no scores: they are said once)."""
    return situations.summary(f, situations.rank_situations(f, _extreme(f)), LEVEL_LABELS)


def _opening(f: dict[str, Any]) -> str:
    """The lede: what happened (the news, quoted, or the day's most notable fact), measured,
    and what it means against the levels."""
    extreme = _extreme(f)
    kind = situations.rank_situations(f, extreme)[0][1]
    return situations.lede(f, kind, LEVEL_LABELS)


def _price_action(f: dict[str, Any]) -> str:
    """The wider picture: 20 and 60 sessions (the lede already gave the day)."""
    name, p, a = f["instrument"]["name"], f["price"], f.get("asset") or {}
    if a.get("change20_bp") is not None:  # a yield moves in basis points
        text = f"Over 20 sessions the yield is {_updown(a['change20_bp'])} {abs(a['change20_bp']):.0f} bp"
        if a.get("change60_bp") is not None:
            text += f", and {_updown(a['change60_bp'])} {abs(a['change60_bp']):.0f} bp over 60"
        return text + "."
    if p.get("return20_pct") is None or instrument_pair_sentence(f) is not None:
        return ""  # the benchmark-pair sentence gives both windows, against the benchmark's
    text = pick(
        (
            f"Over 20 sessions {name} is {_change(p['return20_pct'])}",
            f"The bigger picture: {_change(p['return20_pct'])} over 20 sessions",
            f"Zooming out, it is {_change(p['return20_pct'])} over 20 sessions",
        ),
        f,
        "context",
    )
    if p.get("return60_pct") is not None:
        text += f" and {_change(p['return60_pct'])} over 60"
    text += "."
    bench, z = f.get("benchmark"), p.get("spread_z60")
    said_elsewhere = _pair_idea(f) is not None or instrument_pair_sentence(f) is not None
    if bench and z is not None and abs(z) >= 0.05 and not said_elsewhere:
        text += (
            f" Against {bench['symbol']}, the ratio of the two sits {abs(z):.1f} standard "
            f"deviations {'above' if z > 0 else 'below'} its 60-day mean."
        )
    return text


def _events_paragraph(f: dict[str, Any]) -> str:
    """Why this brief now: the signal events of the session, against the previous session."""
    events = (f.get("trigger") or {}).get("events") or []
    parts = []
    for e in events:
        if e["kind"] == "level_break" and e.get("price") is not None:
            down = e["price"] > f["price"]["close"]
            parts.append(
                f"it closed {'below support' if down else 'above resistance'} at "
                f"{px(f, e['price'])}, a level of the previous session's map, which now "
                f"{'caps it from above' if down else 'sits below as a floor to defend'}"
            )
        elif e["kind"] == "direction_change" and e.get("previous"):
            parts.append(f"Pulse turned {f['signals']['direction']} from {e['previous']}")
    if not parts:
        return ""
    return "What changed: " + "; and ".join(parts) + "."


def _lead_story_sources(f: dict[str, Any]) -> list[dict[str, Any]]:
    lead = f.get("lead_story")
    return [n for n in f["news"] if lead is not None and n.get("story_id") == lead]


def _tone(source: dict[str, Any], band: float) -> str:
    """The item's tone toward the instrument (else its sentiment): beyond the band, upbeat or
    downbeat."""
    value = source.get("tone", source.get("sentiment")) or 0.0
    return "upbeat" if value > band else "downbeat" if value < -band else "neutral"


def _news_paragraph(f: dict[str, Any]) -> str:
    news = f["news"]
    if not news:
        return pick(
            (
                "No news items about it were found in the window before the cut-off, so the "
                "read rests on price alone.",
                "There was no news about it before the cut-off: this is a price-led read.",
                "With no news about it in the window, the tape tells the story on its own.",
            ),
            f,
            "no-news",
        )
    lead_story = _lead_story_sources(f)
    if len(lead_story) >= 2:
        outlets = [n["outlet"] for n in lead_story]
        first = min(n["published_at"] for n in lead_story)
        headline = f.get("lead_story_headline")
        if headline:
            text = (
                f"One story drives the coverage: “{headline['title']}”, first from "
                f"{headline['outlet']} on {fmt_date(headline['published_at'][:10])}; "
                f"{_join(outlets)} all ran it, "
                f"{_tone(lead_story[0], f['sentiment_band'])} in tone."
            )
            more = len(news) > len(lead_story)
            return text + (" Other items round out the sources." if more else "")
        text = (
            f"One story drives the coverage: {_join(outlets)} all ran it, the first from "
            f"{next(n['outlet'] for n in lead_story if n['published_at'] == first)} on "
            f"{fmt_date(first[:10])}, {_tone(lead_story[0], f['sentiment_band'])} in tone."
        )
        return text + (" Other items round out the sources." if len(news) > len(lead_story) else "")
    lead = next(  # a recap of another session is not this session's most relevant item
        (n for n in news if not situations.other_session(n["title"], f, n.get("published_at"))),
        news[0],
    )
    outlets = f["news_outlets"]
    text = f"Coverage came from {_count(len(outlets), 'outlet')}: {_join(outlets)}. "
    text += (
        f"The most relevant item, from {lead['outlet']} on {fmt_date(lead['published_at'][:10])}, "
        f"is {_tone(lead, f['sentiment_band'])} in tone"
    )
    if lead.get("link_kind") == "theme":  # it does not name the instrument: say what carried it
        text += f" (a theme link: {', '.join(lead['themes'])}, not a mention by name)"
    elif lead.get("link_kind") == "tracks" and lead.get("via"):  # it names what the fund follows
        text += f" (a mention of {lead['via']}, which it tracks)"
    if lead["story_outlets"] > 1:
        text += f", and the same story ran at {_count(lead['story_outlets'], 'outlet')}"
    return text + "."


def _trend_driver(f: dict[str, Any]) -> str | None:
    p = f["price"]
    if p.get("sma50") is None or p.get("sma200") is None:
        return None
    rel = "above" if p["sma50"] >= p["sma200"] else "below"
    return f"the 50-day average ({px(f, p['sma50'])}) sits {rel} the 200-day ({px(f, p['sma200'])})"


RSI_OVERBOUGHT, RSI_OVERSOLD, RSI_NEAR = 70.0, 30.0, 5.0


def _rsi_zone(rsi: float) -> str:
    """Where RSI 14 sits, as a desk says it: 69.9 is "just under the overbought line", not
    "neutral" like 50."""
    if rsi >= RSI_OVERBOUGHT:
        return "in overbought territory"
    if rsi <= RSI_OVERSOLD:
        return "in oversold territory"
    if rsi >= RSI_OVERBOUGHT - RSI_NEAR:
        return "just short of overbought"  # no "70": a number the fact sheet does not hold
    if rsi <= RSI_OVERSOLD + RSI_NEAR:
        return "just short of oversold"
    return "in neutral territory"


def _momentum_driver(p: dict[str, Any]) -> str | None:
    parts = []
    if p.get("rsi14") is not None:
        parts.append(f"RSI 14 is {p['rsi14']:.1f}, {_rsi_zone(p['rsi14'])}")
    if p.get("macd_hist") is not None:
        side = "above" if p["macd_hist"] >= 0 else "below"
        parts.append(f"MACD runs {side} its signal line")
    return ", and ".join(parts) if parts else None


def _relative_driver(f: dict[str, Any]) -> str | None:
    p, bench = f["price"], f.get("benchmark")
    if not bench or p.get("rs20_pct") is None or instrument_pair_sentence(f) is not None:
        return None  # the benchmark-pair paragraph gives it, with both legs and 60 sessions
    way = "outperformed" if p["rs20_pct"] >= 0 else "lagged"
    return f"it {way} {bench['symbol']} by {fmt_pct(p['rs20_pct'])} over 20 sessions"


def _drivers(f: dict[str, Any]) -> str:
    """The drivers in the order of their weight in Pulse (largest |w*c| first)."""
    p = f["price"]
    weight = {
        c["name"]: abs((c["value"] or 0.0) * c["weight"])
        for c in f["signals"]["components"]["pulse"]
    }
    candidates = [
        (weight.get("trend", 0.0), _trend_driver(f)),
        (weight.get("momentum", 0.0), _momentum_driver(p)),
        (weight.get("relative_strength", 0.0), _relative_driver(f)),
    ]
    parts = [text for _, text in sorted(candidates, key=lambda c: -c[0]) if text]
    if not parts:
        return ""
    opener = pick(("Under the surface, ", "Behind the score, ", "What drives it: "), f, "drivers")
    return opener + "; ".join(parts) + "."


# ---------------------------------------------------------------- watch, risks, opportunities


def _level_line(f: dict[str, Any], lv: dict[str, Any]) -> str:
    label = level_label(lv, LEVEL_LABELS.get(lv["kind"], lv["kind"]))
    line = f"{label} {px(f, lv['price'])}"
    if lv.get("zone_low") is not None and lv.get("zone_high") is not None:
        line += f" (zone {px(f, lv['zone_low'])} to {px(f, lv['zone_high'])})"
    if lv["kind"] in ("support", "resistance", "round") and lv.get("last_touch_date"):
        line += (
            f": {_count(lv['touches'], 'touch', 'touches')}, last on "
            f"{fmt_date(lv['last_touch_date'])}"
        )
    elif lv["kind"] in ("high52", "low52") and lv.get("last_touch_date"):
        line += f", set on {fmt_date(lv['last_touch_date'])}"
    return line


def _volatility_line(f: dict[str, Any]) -> str | None:
    p, risk = f["price"], f["signals"]["components"]["risk"]
    parts = []
    if p.get("atr14") is not None and risk.get("atr_pct") is not None:
        parts.append(f"ATR 14 is {fmt_price(p['atr14'])}, or {fmt_pct(risk['atr_pct'])} of price")
    if p.get("realized_vol20_pct") is not None:
        text = f"20-day realized volatility runs at {fmt_pct(p['realized_vol20_pct'])} a year"
        if p.get("realized_vol_pctile") is not None and full_year(f):
            text += f" (percentile {p['realized_vol_pctile']:.0f} of the past year)"
        elif (note := sessions_note(f)) is not None:
            text += f" (no percentile rank with {note})"
        parts.append(text)
    if risk.get("vix") is not None and risk.get("vix_regime"):
        parts.append(f"the VIX at {fmt_price(risk['vix'])} reads {risk['vix_regime']}")
    return ("Volatility: " + "; ".join(parts)) if parts else None


def _breadth_line(p: dict[str, Any]) -> str | None:
    if p.get("breadth50_pct") is None:
        return None
    return (
        f"Breadth: {p['breadth_above']:.0f} of {p['breadth_members']:.0f} stored constituents "
        f"({fmt_pct(p['breadth50_pct'])}) close above their 50-day average"
    )


def _momentum_line(p: dict[str, Any]) -> str | None:
    if p.get("rsi14") is None:
        return None
    text = f"Momentum: RSI 14 at {p['rsi14']:.1f}"
    if p.get("macd") is not None and p.get("macd_signal") is not None:
        text += f", MACD {p['macd']:.2f} against a signal of {p['macd_signal']:.2f}"
    return text


def _watch(f: dict[str, Any]) -> list[str]:
    """One line per price: a resistance that is also the 52-week high is one line that says
    both, not two lines with the same number."""
    out: list[str] = []
    shown: dict[str, int] = {}  # displayed price -> its line in ``out``
    for lv in f["levels"]:
        at = px(f, lv["price"])
        if at in shown:
            label = level_label(lv, LEVEL_LABELS.get(lv["kind"], lv["kind"]))
            also = f"; also the {label[0].lower()}{label[1:]}"
            if lv["kind"] in ("high52", "low52") and lv.get("last_touch_date"):
                also += f", set on {fmt_date(lv['last_touch_date'])}"
            out[shown[at]] += also
            continue
        shown[at] = len(out)
        out.append(_level_line(f, lv))
    p = f["price"]
    extra = (_momentum_line(p), _breadth_line(p), _volatility_line(f))
    return out + [line for line in extra if line]


def _nearest(f: dict[str, Any], *, above: bool) -> dict[str, Any] | None:
    """The level nearest the close on one side (any kind: a round number or an average too)."""
    close = f["price"]["close"]
    side = [lv for lv in f["levels"] if (lv["price"] > close if above else lv["price"] < close)]
    return min(side, key=lambda lv: abs(lv["price"] - close), default=None)


DRAWDOWN_NEAR_PCT = 2.0  # this close to the range's high, the high is overhead resistance
DRAWDOWN_CORRECTION_PCT = 10.0
DRAWDOWN_BEAR_PCT = 20.0


def _drawdown_risk(drawdown: float | None, label: str) -> str | None:
    """The distance from the range's high, said only where it is a risk: close under the high
    (it may cap the move) or a correction or bear-sized drawdown. A few percent off the high is
    an ordinary day and not said (it was the first risk of 89% of briefs, one skeleton)."""
    if not drawdown:
        return None
    pct = fmt_pct(drawdown)
    if drawdown < DRAWDOWN_NEAR_PCT:
        return f"At {pct} below its {label} high, that high is close enough to cap a rally."
    if drawdown >= DRAWDOWN_BEAR_PCT:
        return f"It is {pct} below its {label} high, a bear-market-sized drawdown."
    if drawdown >= DRAWDOWN_CORRECTION_PCT:
        return f"It trades {pct} below its {label} high, a correction-sized drawdown."
    return None


def _high_set_this_session(f: dict[str, Any]) -> bool:
    high = next((lv for lv in f["levels"] if lv["kind"] == "high52"), None)
    return (
        high is not None and str(high.get("last_touch_date") or "")[:10] == str(f["bar_date"])[:10]
    )


def _risks(f: dict[str, Any]) -> list[str]:
    risk, p, label = f["signals"]["components"]["risk"], f["price"], f["signals"]["risk"]
    out = []
    line = _drawdown_risk(risk.get("drawdown_pct"), range_label(f))
    if line is not None and not _high_set_this_session(f):
        # a high made in this very session does not "cap a rally" (a real GC=F brief of Dec 1,
        # 2023, which closed 0.1% under the record it had just set)
        out.append(line)
    below = _nearest(f, above=False)
    if below is not None:
        what = (
            "support"
            if below["kind"] == "support"
            else "the " + level_label(below, LEVEL_LABELS.get(below["kind"], below["kind"])).lower()
        )
        out.append(
            f"A close below {what} at {fmt_price(below['price'])} would break the nearest floor."
        )
    pctile = p.get("realized_vol_pctile")
    if pctile is not None and full_year(f) and pctile >= 80:
        out.append(f"Volatility is high for this market: percentile {pctile:.0f} of the past year.")
    elif (note := sessions_note(f)) is not None:
        basis = "the VIX regime" if risk.get("vix_regime") else "ATR and drawdown alone"
        out.append(
            f"With {note}, volatility is not ranked (a rank takes "
            f"{f['history']['full_year_sessions']}): Risk {label} rests on {basis}."
        )
    regime = risk.get("vix_regime")
    if regime in ("elevated", "stressed"):
        if label == "Low":
            out.append(
                f"The VIX regime is {regime}, but its own ranges and drawdown are contained, "
                "so Risk stays Low."
            )
        else:
            out.append(f"The VIX regime is {regime}, which tends to widen daily ranges.")
    if p.get("rsi14") is not None and p["rsi14"] >= 70:
        out.append(f"RSI 14 at {p['rsi14']:.1f} is overbought: pullbacks come fast from here.")
    reasons = f["signals"]["components"]["threat"]["reasons"]
    if reasons:
        out.append("Threat drivers: " + ", ".join(reasons) + ".")
    return out


def _pair_idea(f: dict[str, Any]) -> str | None:
    p, bench = f["price"], f.get("benchmark")
    rs, z = p.get("rs20_pct"), p.get("spread_z60")
    if not bench or rs is None or z is None:
        return None
    if abs(rs) < PAIR_MIN_RS_PCT or abs(z) < PAIR_MIN_Z or (rs > 0) != (z > 0):
        return None
    sym, other = f["instrument"]["symbol"], bench["symbol"]
    long_leg, short_leg = (sym, other) if rs > 0 else (other, sym)
    text = (
        f"Pair idea: long {long_leg} against {short_leg}. The {sym}/{other} ratio "
        f"{'rose' if rs > 0 else 'fell'} {fmt_pct(rs)} over 20 sessions and sits {abs(z):.1f} "
        f"standard deviations {'above' if z > 0 else 'below'} its 60-day mean."
    )
    if abs(z) >= PAIR_STRETCHED_Z:
        text += " The spread is stretched, so a snap-back is the risk to this trade."
    return text


def _opportunities(f: dict[str, Any]) -> list[str]:
    out = []
    pair = _pair_idea(f)
    if pair:
        out.append(pair)
    above = _nearest(f, above=True)
    if above is not None:
        level = situations.level_phrase(f, above, LEVEL_LABELS)
        cls = situations.asset_of(f)
        if cls is assets.VOLATILITY_INDEX:
            out.append(f"A close above {level} would mean fear is spreading: a cue to hedge.")
        elif cls is assets.YIELD:
            rising = ((f.get("asset") or {}).get("change20_bp") or 0.0) > 0
            out.append(  # "extend" only when yields have been rising (bonds selling off)
                f"A close above {level} would extend the sell-off in bonds."
                if rising
                else f"A close above {level} would push yields back up, against the bond rally."
            )
        else:
            out.append(
                pick(
                    (
                        f"A close above {level} would open the way higher.",
                        f"Upside: a close over {level} clears the next hurdle.",
                        f"Above {level}, the path higher opens up.",
                    ),
                    f,
                    "upside",
                )
            )
    p = f["price"]
    if p.get("rsi14") is not None and p["rsi14"] <= 30:
        out.append(f"RSI 14 at {p['rsi14']:.1f} is oversold: bounces often start from here.")
    return out


def _take(f: dict[str, Any]) -> str:
    kind = situations.rank_situations(f, _extreme(f))[0][1]
    return situations.take(f, kind, LEVEL_LABELS)


def _tags(f: dict[str, Any]) -> tuple[str, ...]:
    inst, s = f["instrument"], f["signals"]
    symbol_tag = inst["symbol"].lower().lstrip("^").replace("=", "-").replace(".", "-")
    cls = situations.asset_of(f)
    class_tag = inst["asset_class"].lower()
    if cls is assets.FUTURE and assets.quote_unit(inst["symbol"], cls) == "index points":
        class_tag = "index-futures"  # not "indices" (the cash index) nor "commodities"
    tags = [*SYMBOL_TAGS.get(inst["symbol"], ()), symbol_tag, class_tag]
    if cls.reads_inverted() and s["direction"] != "Neutral":  # a Bullish VIX is risk-off
        tags.append("risk-off" if s["direction"] == "Bullish" else "risk-on")
    else:
        tags.append(s["direction"].lower())
    kinds = {e["kind"] for e in (f.get("trigger") or {}).get("events", [])}
    if "level_break" in kinds:
        tags.append("level-break")
    if "direction_change" in kinds:
        tags.append("trend-change")
    if s["heat_label"] == "High" or (f.get("trigger") or {}).get("kind") == "heat":
        tags.append("hot")
    if _pair_idea(f):
        tags.append("pair-trade")
    if s["components"]["risk"].get("vix_regime") in ("elevated", "stressed"):
        tags.append("volatility")
    return tuple(dict.fromkeys(tags))


def _risk_facts(f: dict[str, Any]) -> dict[str, Any]:
    """The facts ``_risks`` reads, without the VIX regime where naming it would be boilerplate:
    it is a risk for an equity index (and any equity when stressed), not for the VIX itself,
    a yield, a currency or a commodity; and without the drawdown from the high where a fall is
    not a loss to the reader (the VIX, a yield)."""
    regime = f["signals"]["components"]["risk"].get("vix_regime")
    cls = situations.asset_of(f)
    keep = cls is assets.EQUITY_INDEX or (
        cls in (assets.STOCK, assets.ETF) and regime == "stressed"
    )
    hide = set() if keep or regime is None else {"vix_regime"}
    if cls.reads_inverted():  # the VIX or a yield far below its high is no risk to its reader
        hide.add("drawdown_pct")
    if not hide:
        return f
    risk = {k: v for k, v in f["signals"]["components"]["risk"].items() if k not in hide}
    components = {**f["signals"]["components"], "risk": risk}
    return {**f, "signals": {**f["signals"], "components": components}}


class TemplateWriter:
    """Deterministic writer: same facts, same brief."""

    name = "template"

    def write(self, facts: dict[str, Any]) -> Draft:
        ranked = [k for _, k in situations.rank_situations(facts, _extreme(facts))]
        events = _events_paragraph(facts) if ranked[0] != "break" else ""  # the lede told it
        news_second = (
            situations.lede(facts, "news", LEVEL_LABELS, levels_clause=False)
            if "news" in ranked[1:]
            else ""
        )
        analysis = [
            _opening(facts),
            news_second,
            _price_action(facts),
            events,
            _news_paragraph(facts),
            _drivers(facts),
            situations.meaning(facts) or "",
            instrument_pair_sentence(facts),  # newsroom.pair: the benchmark pair, 20/60 sessions
            situations.scores(facts),
        ]
        return Draft(
            headline=_headline(facts),
            dek=_dek(facts),
            sections={
                "analysis": [a for a in analysis if a],
                "watch": _watch(facts),
                "risks": _risks(_risk_facts(facts)),
                "opportunities": _opportunities(facts),
                "take": _take(facts),
            },
            tags=_tags(facts),
            writer=self.name,
        )


def read_minutes(draft: Draft) -> int:
    words = sum(len(t.split()) for t in draft.texts())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
