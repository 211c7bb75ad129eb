"""The market brief's text: fact sheet (``newsroom.market_brief``) -> draft (pure).

Large against small caps first (the seed's S&P 500 against Russell 2000 framing: each leg's 20-
and 60-session return, the ratio's change and the spread's z-score), then sectors leading and
lagging, rates, the dollar, oil, gold, volatility and crypto, breadth, the day's top stories by
Heat (headline quoted verbatim, with outlet and date) and what the brief lacks. "What to watch"
gives the levels nearest each asset's close; each of those lines is verified against its own
asset's sheet (``asset_sheet``). Every number is formatted from the sheet with ``fmt_*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tapewire.newsroom.pair import pair_sentence
from tapewire.newsroom.writers.base import Draft, fmt_date, fmt_pct, fmt_price
from tapewire.technicals.levels import LEVEL_WORDS, level_words

STRETCHED_Z = 2.0  # the spread this many deviations from its mean: a snap-back risk
VIX_JUMP_PCT = 10.0  # a VIX move this large in a day is a risk line
CROSS_ASSET_ORDER = ("yield", "dollar", "oil", "gold", "vix", "bitcoin")
WATCH_ORDER = ("large", "small", "vix", "yield", "dollar", "oil", "gold", "bitcoin")
LEVEL_LABELS = {kind: level_words(kind, capital=False) for kind in LEVEL_WORDS}
ROLE_TAGS = {
    "small": "small-caps",
    "yield": "rates",
    "dollar": "dollar",
    "oil": "oil",
    "gold": "gold",
    "vix": "volatility",
    "bitcoin": "crypto",
}


def asset_sheet(facts: dict[str, Any], key: str) -> dict[str, Any]:
    """One asset's own fact sheet (its price, levels and names): what its watch line may say."""
    a = facts["assets"][key]
    return {
        "as_of": facts["as_of"],
        "instrument": {"symbol": a["symbol"], "name": a["name"]},
        "bar_date": a["bar_date"],
        "price": {**a["price"], "yield_pct": a.get("yield_pct")},
        "levels": a["levels"],
        "news": [],
        "params": facts["params"],
        "names": facts["names"],
    }


def _name(a: dict[str, Any]) -> str:
    """The stored name; the role's label for a yield proxy or an instrument stored unnamed."""
    if a["role"] == "yield" or a["name"] == a["symbol"]:
        return str(a["label"])
    return str(a["name"])


def _named(a: dict[str, Any]) -> str:
    """ "S&P 500 (^GSPC)"; a label that already carries the symbol ("Large-cap index (^GSPC)",
    for an index stored unnamed) is not given it twice."""
    name = _name(a)
    return name if f"({a['symbol']})" in name else f"{name} ({a['symbol']})"


def _move(value: float | None) -> str:
    if value is None:
        return "with no earlier session to compare"
    return f"{'up' if value >= 0 else 'down'} {fmt_pct(value)}"


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _headline(f: dict[str, Any]) -> str:
    large = f["assets"]["large"]
    day = large["change1d_pct"] or 0.0
    verb = _day_verb(day)
    # a move that rounds to 0.0% is flat, not "slips 0.0%"
    head = (
        f"{_name(large)} ends flat"
        if _rounds_to_zero(day)
        else f"{_name(large)} {verb} {fmt_pct(day)}"
    )
    standout = _standout(f)
    if standout is not None:  # the day's other big move heads the brief with the index
        return f"{head} as {standout}"
    pair, small = f.get("pair"), f["assets"].get("small")
    if pair and small and pair.get("rel20_pct") is not None:
        rel = pair["rel20_pct"]
        if _rounds_to_zero(rel):
            return f"{head}; {_name(small)} keeps pace with it over 20 sessions"
        way = "outperforms" if rel >= 0 else "lags"
        return f"{head}; {_name(small)} {way} it by {fmt_pct(rel)} over 20 sessions"
    return f"Market brief: {head}"


# What makes another asset's day the headline's second clause, in its own units: a small-cap
# index 1.5 points away from the large-cap one, a 10 bp move in the 10-year yield, 3% in crude,
# 2% in gold, 10% in the VIX. The largest multiple of its threshold wins; none at 1x or more:
# the headline gives the 20-session large-against-small reading instead.
STANDOUT = {"small": 1.5, "yield": 10.0, "oil": 3.0, "gold": 2.0, "vix": 10.0}


def _day_verb(pct: float) -> str:
    if abs(pct) < 1.0:
        return "rises" if pct >= 0 else "slips"
    return "jumps" if pct > 0 else "falls"


def _standout(f: dict[str, Any]) -> str | None:
    """ "Russell 2000 jumps 3.0%", "10-year Treasury yield falls 13 bp": the day's largest move
    against its threshold (``STANDOUT``), when one reaches it."""
    large = f["assets"]["large"]
    best: tuple[float, str] | None = None
    for key, threshold in STANDOUT.items():
        a = f["assets"].get(key)
        if a is None or a["bar_date"] != large["bar_date"]:
            continue  # not the same session: not the day's move
        if a["unit"] == "yield":
            bp = a.get("change1d_bp")
            if not bp:
                continue
            size = abs(bp) / threshold
            text = f"the {a['label']} {'rises' if bp > 0 else 'falls'} {abs(bp):.0f} bp"
        else:
            pct = a.get("change1d_pct")
            if pct is None or a["unit"] == "proxy":
                continue
            gap = pct - (large["change1d_pct"] or 0.0) if key == "small" else pct
            size = abs(gap) / threshold
            text = f"{_name(a)} {_day_verb(pct)} {fmt_pct(pct)}"
        if size >= 1.0 and (best is None or size > best[0]):
            best = (size, text)
    return best[1] if best else None


def _other_moves(f: dict[str, Any]) -> list[str]:
    """The cross-asset moves of the index's session, except the headline's standout, the
    largest against its ``STANDOUT`` threshold (1% where none is set) first."""
    large, headline = f["assets"]["large"], _standout(f)
    sized: list[tuple[float, str]] = []
    for key in CROSS_ASSET_ORDER:
        a = f["assets"].get(key)
        if a is None or a["bar_date"] != large["bar_date"] or a["unit"] == "proxy":
            continue
        threshold = STANDOUT.get(key, 1.0)
        if a["unit"] == "yield":
            bp = a.get("change1d_bp")
            if not bp:
                continue
            size = abs(bp) / threshold
            text = f"the {a['label']} {'rose' if bp > 0 else 'fell'} {abs(bp):.0f} bp"
            said = f"the {a['label']} {'rises' if bp > 0 else 'falls'} {abs(bp):.0f} bp"
        else:
            pct = a.get("change1d_pct")
            if pct is None or _rounds_to_zero(pct):
                continue
            size = abs(pct) / threshold
            who = "the VIX" if key == "vix" else _name(a)  # not "Cboe Volatility Index rose"
            text = f"{who} {'rose' if pct > 0 else 'fell'} {fmt_pct(pct)}"
            said = f"{_name(a)} {_day_verb(pct)} {fmt_pct(pct)}"
        if said != headline:
            sized.append((size, text))
    sized.sort(key=lambda t: -t[0])
    return [text for _, text in sized[:DEK_MOVES]]


def _rounds_to_zero(pct: float) -> bool:
    return fmt_pct(pct) == fmt_pct(0.0)


DEK_MOVES = 3  # cross-asset moves the dek names at most


def _dek(f: dict[str, Any]) -> str:
    """The day's other moves, largest first against each one's threshold ("Elsewhere: the
    10-year Treasury yield fell 13 bp, WTI crude oil fell 2.5% and Gold rose 1.6%."); the same
    table of contents every day was the dek only when nothing moved."""
    moves = _other_moves(f)
    if moves:
        text = f"Elsewhere in the session of {fmt_date(f['session'])}: {_join(moves)}."
    else:
        text = (
            f"The session of {fmt_date(f['session'])}: large against small caps, sectors, rates, "
            "the dollar, oil, gold, volatility and crypto, with the day's top stories."
        )
    if f["missing"]:
        text += f" This brief lacks {_join([m['label'] for m in f['missing']])}."
    return text


def _indices(f: dict[str, Any]) -> str:
    large, small = f["assets"]["large"], f["assets"].get("small")
    text = (
        f"{_name(large)} ended the session of {fmt_date(large['bar_date'])} at "
        f"{fmt_price(large['close'])}, {_move(large['change1d_pct'])} on the day"
    )
    if large["return20_pct"] is not None:
        text += f" and {_move(large['return20_pct'])} over 20 sessions"
    if small:
        text += (
            f"; {_name(small)} finished at {fmt_price(small['close'])}, "
            f"{_move(small['change1d_pct'])} on the day"
        )
    return text + "."


def _pair(f: dict[str, Any]) -> str:
    large, small = f["assets"]["large"], f["assets"].get("small")
    if not small:
        return "No small-cap index is fresh as of the cut-off: there is no large-against-small reading today."
    sentence = pair_sentence(_name(small), _name(large), f.get("pair"))
    if sentence is None:
        return (
            f"{_name(small)} and {_name(large)} do not share enough recent sessions for a "
            "20-session comparison."
        )
    return "Large against small: " + sentence[0].lower() + sentence[1:]


def _sectors(f: dict[str, Any]) -> str | None:
    sectors = f["sectors"]
    if not sectors:
        return None
    n = 2 if len(sectors) >= 6 else 1  # two each side only when they cannot overlap the middle
    leaders, laggards = sectors[:n], sectors[-n:][::-1] if len(sectors) > 1 else []

    def one(a: dict[str, Any]) -> str:
        return f"{a['label']} ({a['symbol']}, {_move(a['change1d_pct'])})"

    if len(sectors) == 1:  # one stored sector leads nothing
        return f"Sectors: only {one(sectors[0])} is stored, so no sector can be said to lead."
    text = f"Sectors: {_join([one(a) for a in leaders])} led"
    if laggards:
        text += f", while {_join([one(a) for a in laggards])} lagged"
    return text + " on the day."


def _cross_asset(f: dict[str, Any]) -> str | None:
    parts = []
    for key in CROSS_ASSET_ORDER:
        a = f["assets"].get(key)
        if a is None:
            continue
        if a["unit"] == "yield":
            bp = a.get("change1d_bp")
            move = (
                "unchanged on the day"
                if not bp
                else f"{'up' if bp > 0 else 'down'} {abs(bp):.0f} bp on the day"
            )
            parts.append(f"the {a['label']} is {a['yield_pct']:.2f}%, {move}")
        elif a["unit"] == "proxy":
            parts.append(
                f"the {a['label']}, {a['symbol']}, at {fmt_price(a['close'])}, "
                f"{_move(a['change1d_pct'])} (it falls when yields rise)"
            )
        else:
            parts.append(f"{_named(a)} at {fmt_price(a['close'])}, {_move(a['change1d_pct'])}")
    if not parts:
        return None
    text = "Across assets: " + "; ".join(parts) + "."
    regime = ((f["signals"].get("components") or {}).get("risk") or {}).get("vix_regime")
    if regime and "vix" in f["assets"]:
        text += f" The volatility regime reads {regime}."
    return text


def _breadth(f: dict[str, Any]) -> str | None:
    b = f.get("breadth")
    if not b:
        return None
    return (
        f"Breadth: {b['above']:.0f} of {b['members']:.0f} stored {_name(f['assets']['large'])} "
        f"constituents ({b['above_pct']:.1f}%) close above their 50-day average."
    )


def _stories(f: dict[str, Any]) -> str:
    if not f["stories"]:
        return (
            "No story was linked to a stored instrument in the 24 hours before the cut-off: "
            "today's brief rests on prices alone."
        )
    parts = []
    for s in f["stories"]:
        outlets = f"{s['outlet_count']:.0f} outlet{'s' if s['outlet_count'] != 1 else ''}"
        parts.append(  # no "Heat" here: it is the instruments', not the story's own
            f"“{s['headline']}” ({s['outlet']}, {fmt_date(s['published_at'])}; {outlets})"
        )
    return "Top stories, by outlets covering them: " + "; ".join(parts) + "."


def _lacks(f: dict[str, Any]) -> str | None:
    if not f["missing"]:
        return None
    parts = []
    for m in f["missing"]:
        if m["reason"] == "stale" and m["last_bar"]:
            why = f"{m['symbol']}: last bar {fmt_date(m['last_bar'])}, stale"
        elif m["symbol"]:
            why = f"{m['symbol']}: {m['reason']}"
        else:
            why = m["reason"]
        parts.append(f"{m['label']} ({why})")
    return f"No data, no claim: this brief leaves out {_join(parts)}."


def _level(lv: dict[str, Any]) -> str:
    side = "below" if lv["distance_pct"] <= 0 else "above"
    label = LEVEL_LABELS.get(lv["kind"], lv["kind"])
    at = f"{label} at {fmt_price(lv['price'])}"
    bp = lv.get("distance_bp")
    if bp is not None:  # a yield: its distance in basis points, not in % of the yield
        return f"{at} (just {side})" if abs(bp) < 1 else f"{at} ({abs(bp):.0f} bp {side})"
    if _rounds_to_zero(lv["distance_pct"]):  # "(0.0% above)": the close is at the level
        return f"{at} (just {side})"
    return f"{at} ({fmt_pct(lv['distance_pct'])} {side})"


def _watch(f: dict[str, Any]) -> list[tuple[str, str]]:
    """(line, asset key): the nearest level on each side of every asset with stored levels."""
    out = []
    for key in WATCH_ORDER:
        a = f["assets"].get(key)
        if a is None or not a["levels"]:
            continue
        below = [lv for lv in a["levels"] if lv["distance_pct"] <= 0][:1]
        above = [lv for lv in a["levels"] if lv["distance_pct"] > 0][:1]
        near = [_level(lv) for lv in [*below, *above]]
        close = f"{a['yield_pct']:.2f}%" if a["unit"] == "yield" else fmt_price(a["close"])
        who = a["symbol"] if a["unit"] == "proxy" else _named(a)
        out.append((f"{who} at {close}: {'; '.join(near)}.", key))
    return out


def _risks(f: dict[str, Any]) -> list[str]:
    out = []
    pair, small = f.get("pair"), f["assets"].get("small")
    z = (pair or {}).get("spread_z60")
    if small and z is not None and abs(z) >= STRETCHED_Z:
        out.append(
            f"The {_name(small)}/{_name(f['assets']['large'])} spread is {abs(z):.1f} standard "
            "deviations from its 60-session mean: stretched, so a snap-back is a risk."
        )
    vix = f["assets"].get("vix")
    if vix and (vix["change1d_pct"] or 0.0) >= VIX_JUMP_PCT:
        out.append(f"The VIX jumped {fmt_pct(vix['change1d_pct'])} on the day: fear is rising.")
    if f["missing"]:
        out.append(
            "Part of the picture is missing (see above): read the cross-asset view as partial."
        )
    return out


def _take(f: dict[str, Any]) -> str:
    pair, small = f.get("pair") or {}, f["assets"].get("small")
    r20, r60 = pair.get("rel20_pct"), pair.get("rel60_pct")
    large = _name(f["assets"]["large"])
    if not small or r20 is None:
        return f"The read on {large} is {f['signals']['direction'].lower()}."
    name = _name(small)
    if r60 is None:
        way = "ahead of" if r20 >= 0 else "behind"
        return f"{name} is {way} {large} over 20 sessions; the longer window is not yet measured."
    if r20 >= 0 and r60 >= 0:
        return f"{name} has led {large} over both 20 and 60 sessions: small caps carry the tape."
    if r20 < 0 and r60 < 0:
        return f"{large} has led {name} over both 20 and 60 sessions: leadership stays with large caps."
    if r20 >= 0:
        return (
            f"{name} leads {large} over 20 sessions after trailing over 60: a turn worth watching."
        )
    return f"{name} trails {large} over 20 sessions after leading over 60: the small-cap lead is fading."


def _tags(f: dict[str, Any]) -> tuple[str, ...]:
    tags = ["market"]
    if f["assets"]["large"]["symbol"] in ("^GSPC", "SPY", "ES=F"):
        tags.append("sp500")
    tags += [tag for key, tag in ROLE_TAGS.items() if key in f["assets"]]
    if f["sectors"]:
        tags.append("sectors")
    return tuple(dict.fromkeys(tags))


class MarketWriter:
    """Deterministic: same facts, same brief."""

    name = "template-market"

    def write(self, facts: dict[str, Any]) -> Draft:
        analysis = [
            _indices(facts),
            _pair(facts),
            _sectors(facts),
            _cross_asset(facts),
            _breadth(facts),
            _stories(facts),
            _lacks(facts),
        ]
        watch = _watch(facts)
        return Draft(
            headline=_headline(facts),
            dek=_dek(facts),
            sections={
                "analysis": [a for a in analysis if a],
                "watch": [line for line, _ in watch],
                "watch_roles": watch,
                "risks": _risks(facts),
                "opportunities": [],
                "take": _take(facts),
            },
            tags=_tags(facts),
            writer=self.name,
        )
