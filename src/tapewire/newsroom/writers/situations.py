"""What a brief leads with, and the lede, headline, summary and Take built from it (pure).

A brief is about its most notable fact, ranked (``rank_situations``): linked news first (its
headline quoted verbatim with outlet and date, and what the instrument did since), then a level
break, a turn of Pulse, a one-year extreme, an outsized move in ATRs, a divergence from the
benchmark, a streak, a 20-session closing high or low, a volatility extreme, else an ordinary or
a quiet day. Each situation has its own headline, summary and lede shapes and its own Take; the
phrasing is chosen by ``phrases.pick`` (seeded by symbol and date), so a rerun is identical. The
words follow the asset class (``newsroom.assets``): a rising VIX is fear building, a rising yield
a sell-off in bonds. Every number is taken from the fact sheet and formatted once here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from tapewire.newsroom import assets
from tapewire.newsroom.writers.base import fmt_date, fmt_pct
from tapewire.newsroom.writers.claims import level_label
from tapewire.newsroom.writers.phrases import pick

TONE_AGREES = 0.2  # a lead story's tone at least this far from 0 takes a side on the move
BIG_MOVE_ATR = 1.3  # a day's move of at least this many ATRs is a story of its own
QUIET_MOVE_ATR = 0.4  # below this many ATRs the day was quiet
STREAK_DAYS = 4  # a run of closes in one direction worth a lede
DIVERGENCE_PCT = 0.3  # both moves at least this large and of opposite sign
HEADLINE_QUOTE_CHARS = 90  # a longer story headline is quoted in the lede, not the headline

Situation = tuple[float, str]


# ---------------------------------------------------------------- small helpers


def asset_of(f: dict[str, Any]) -> assets.AssetClass:
    inst = f["instrument"]
    return assets.classify(inst["symbol"], inst["asset_class"], inst["name"])


def px(f: dict[str, Any], value: float) -> str:
    """A price in the instrument's own precision (FX to 4 decimals, yields to 3)."""
    decimals = int((f.get("asset") or {}).get("decimals", 2))
    return f"{value:,.{decimals}f}"


def _up(value: float) -> bool:
    return value >= 0


def _name(f: dict[str, Any]) -> str:
    return str(f["instrument"]["name"])


MACRO_LEAD_THEMES = frozenset({"rates", "inflation", "jobs", "economy", "markets"})


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_WORD = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE)


# a title that reports a session's price move ("Boeing Co. stock outperforms market on strong
# trading day", "Stocks close higher", "shares fell 3%")
_MOVE_REPORT = re.compile(
    r"\b(?:stocks?|shares?|index|indexes|futures)\b[^.;:]{0,30}?\b(?:rises?|rose|falls?|fell|"
    r"gains?|gained|drops?|dropped|climbs?|climbed|slips?|slipped|jumps?|jumped|sinks?|sank|"
    r"slides?|slid|rall(?:y|ies|ied)|surges?|surged|tumbles?|tumbled|closes?|closed|ends?|ended|"
    r"finish(?:es|ed)?|(?:out|under)performs?|(?:out|under)performed)\b",
    re.IGNORECASE,
)


def other_session(title: str, f: dict[str, Any], published_at: str | None = None) -> bool:
    """The item is about another session: its title names a weekday that is not this session's
    (a recap, "Amazon.com Inc. stock falls Thursday, underperforms market", or a preview), or it
    reports a price move and was published before this session's day (UTC).
    Quoted at the top of Friday's brief it read "“... stock falls Thursday ...”: AMZN firms
    0.6%" (found replaying the 2023-12-01 sitemaps)."""
    if not f.get("bar_date"):
        return False
    bar_day = date.fromisoformat(str(f["bar_date"])[:10])
    reported_before = published_at and date.fromisoformat(published_at[:10]) < bar_day
    if reported_before and _MOVE_REPORT.search(title):
        return True  # a move reported before this session's day is an earlier session's
    named = {m.lower() for m in _WEEKDAY_WORD.findall(title)}
    return bool(named) and _WEEKDAYS[bar_day.weekday()] not in named


def _news_take(f: dict[str, Any]) -> str:
    """The take's last word on a news-led brief. "The story is the catalyst" only when the
    story's tone toward the instrument and the day's move agree (an explainer about the Apple
    Card was called the catalyst of a 2% rally in Goldman Sachs)."""
    item, change = lead_item(f), f["price"].get("change_pct")
    tone = (item or {}).get("tone")
    if tone is None or change is None or abs(tone) < TONE_AGREES:
        return "Watch whether the price keeps following the story."
    if (tone > 0) == (change > 0):
        return "The story and the tape agree; the levels decide how far it runs."
    return "The tape and the story point different ways: the levels matter more than the headline."


def lead_item(f: dict[str, Any]) -> dict[str, Any] | None:
    """The news item a news-led brief quotes: the lead story's first source, else the most
    relevant source (the fact sheet lists them so)."""
    news = [
        n
        for n in f.get("news", [])
        if n.get("title")
        and "”" not in n["title"]
        and not other_session(n["title"], f, n.get("published_at"))
    ]
    lead = f.get("lead_story")
    # a theme link is context, not what happened to the instrument (a hostage story for the VIX):
    # it heads the brief only as the hot story the brief was written for, or as a macro story
    # (rates, jobs, inflation, the economy, the market as a whole), which is what moves the broad
    # market and the yields it reaches
    news = [
        n
        for n in news
        if n.get("link_kind") != "theme"
        or (lead is not None and n.get("story_id") == lead)
        or set(n.get("themes") or ()) & MACRO_LEAD_THEMES
    ]
    # a daily brief leads with what is new since the instrument's previous brief: a story that
    # brief could already lead with is context now (a QQQ story led two days running)
    since = f.get("news_since")
    if since and lead is None:
        news = [n for n in news if _published(n) >= _instant(since)]
    if not news:
        return None
    named = f.get("lead_story_headline")  # the story's representative headline, when stored
    if named:
        same = [n for n in news if n["title"] == named["title"]]
        if same:
            return dict(same[0])
    first = [n for n in news if lead is not None and n.get("story_id") == lead]
    item: dict[str, Any] = (first or news)[0]
    return item


def _instant(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _published(item: dict[str, Any]) -> datetime:
    text = item.get("published_at")
    return _instant(str(text)) if text else datetime.min.replace(tzinfo=UTC)


def _divergence(f: dict[str, Any]) -> bool:
    bench, change = f.get("benchmark") or {}, f["price"].get("change_pct")
    other = bench.get("change_pct")
    if other is None or change is None:
        return False
    return bool(
        abs(change) >= DIVERGENCE_PCT
        and abs(other) >= DIVERGENCE_PCT
        and (change > 0) != (other > 0)
    )


def nearest(f: dict[str, Any], *, above: bool) -> dict[str, Any] | None:
    close = f["price"]["close"]
    side = [lv for lv in f["levels"] if (lv["price"] > close if above else lv["price"] < close)]
    return min(side, key=lambda lv: abs(lv["price"] - close), default=None)


def level_phrase(f: dict[str, Any], lv: dict[str, Any], labels: dict[str, str]) -> str:
    """ "support at 6,850.00", "the 50-day average at 6,790.12" (the verifier reads both)."""
    if lv["kind"] in ("support", "resistance"):
        return f"{lv['kind']} at {px(f, lv['price'])}"
    label = level_label(lv, labels.get(lv["kind"], lv["kind"]))  # "129-session high" if short
    return f"the {label.lower()} at {px(f, lv['price'])}"


_PRESENT_UP = (("rises", "climbs", "gains", "firms"), ("jumps", "rallies", "surges"))
_PRESENT_DOWN = (("slips", "eases", "dips", "softens"), ("falls", "slides", "drops", "sinks"))
_PAST_UP = (("rose", "climbed", "gained", "firmed"), ("jumped", "rallied", "surged"))
_PAST_DOWN = (("slipped", "eased", "dipped", "softened"), ("fell", "slid", "dropped", "sank"))


def _verb(f: dict[str, Any], change: float, slot: str, *, past: bool = False) -> str:
    """A verb for the move's size and sign: present in headlines, past in the body. A yield
    never "rallies" (a bond rally is a fall in yields)."""
    cls = asset_of(f)
    limit = 6.0 if cls is assets.VOLATILITY_INDEX else 8.0 if cls is assets.YIELD else 1.5
    big = abs(change) >= limit
    up_bank, down_bank = (_PAST_UP, _PAST_DOWN) if past else (_PRESENT_UP, _PRESENT_DOWN)
    bank: tuple[str, ...] = (up_bank if change >= 0 else down_bank)[big]
    if cls is assets.YIELD:
        bank = tuple(v for v in bank if not v.startswith("rall"))
    return pick(bank, f, slot)


def _move(f: dict[str, Any], slot: str = "move", *, past: bool = False) -> str:
    """ "rises 1.2%" ("rose 1.2%" with ``past``; a yield: "rises 5 bp")."""
    p, a = f["price"], f.get("asset") or {}
    if a.get("change_bp") is not None:
        bp = a["change_bp"]
        if abs(bp) < 0.5:
            return "held steady" if past else "holds steady"
        return f"{_verb(f, bp, slot, past=past)} {abs(bp):.0f} bp"
    if abs(p["change_pct"]) < 0.05:  # would print as 0.0%
        return "held steady" if past else "holds steady"
    return f"{_verb(f, p['change_pct'], slot, past=past)} {fmt_pct(p['change_pct'])}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _close(f: dict[str, Any]) -> str:
    a = f.get("asset") or {}
    if a.get("yield_pct") is not None:  # "a yield of": no move word just before the %
        return f"a yield of {a['yield_pct']:.2f}%"
    return px(f, f["price"]["close"])


def _hook(f: dict[str, Any]) -> str:
    """A few words on what the day's move means for this class."""
    cls, up = asset_of(f), _up(f["price"]["change_pct"])
    bank: tuple[str, ...]
    if cls is assets.VOLATILITY_INDEX:
        bank = (
            ("as fear builds", "as traders reach for protection", "as nerves fray")
            if up
            else ("as fear recedes", "as demand for protection fades", "as nerves settle")
        )
    elif cls is assets.YIELD:
        bank = (
            ("as bonds sell off", "as Treasuries weaken")
            if up
            else ("as bonds rally", "as Treasuries firm")
        )
    else:
        direction = f["signals"]["direction"]
        if direction == "Neutral":
            bank = ("in a mixed tape", "with no clear trend", "as traders wait for a break")
        elif (direction == "Bullish") == up:
            bank = ("with the trend", "extending its trend", "as the trend holds")
        else:
            bank = ("against its trend", "in a move against the trend", "bucking its trend")
    return pick(bank, f, "hook")


# ---------------------------------------------------------------- ranking


def rank_situations(f: dict[str, Any], extreme: str | None) -> list[Situation]:
    """What is notable today, most notable first; the last is always "move" or "quiet"."""
    p, t = f["price"], f.get("tape") or {}
    events = (f.get("trigger") or {}).get("events") or []
    out: list[Situation] = []
    # a signal event that triggered the brief heads it; the news then comes second
    if any(e["kind"] == "level_break" and e.get("price") is not None for e in events):
        out.append((9.0, "break"))
    if any(e["kind"] == "direction_change" and e.get("previous") for e in events):
        out.append((8.0, "turn"))
    if lead_item(f) is not None:
        out.append((7.0, "news"))
    if extreme is not None and (p["change_pct"] >= 0) == (extreme == "high52"):
        out.append((5.5, "extreme"))
    move = t.get("move_atr")
    if move is not None and move >= BIG_MOVE_ATR:
        out.append((2.5 + move, "big_move"))
    if _divergence(f):
        out.append((3.5, "divergence"))
    if t.get("streak_days", 0) >= STREAK_DAYS:
        out.append((1.5 + 0.4 * t["streak_days"], "streak"))
    pos = t.get("range20_position_pct")
    if pos is not None and (pos >= 100.0 - 1e-9 or pos <= 1e-9):
        out.append((3.0, "range_edge"))
    pctile = p.get("realized_vol_pctile")
    if pctile is not None and (pctile >= 90 or pctile <= 10):
        out.append((2.2, "vol_extreme"))
    quiet = move is not None and move < QUIET_MOVE_ATR
    out.append((1.0, "quiet" if quiet else "move"))
    return sorted(out, key=lambda s: -s[0])


# ---------------------------------------------------------------- headline


def headline(f: dict[str, Any], kind: str, extreme: str | None) -> str:  # noqa: C901
    name, p, t = _name(f), f["price"], f.get("tape") or {}
    cls = asset_of(f)
    events = (f.get("trigger") or {}).get("events") or []
    if kind == "news":
        item = lead_item(f)
        assert item is not None  # noqa: S101 (ranked only with a lead item)
        title, outlet = item["title"], item["outlet"]
        if len(title) <= HEADLINE_QUOTE_CHARS:
            return pick(
                (
                    f"{name} {_move(f)} as {outlet} reports “{title}”",
                    f"“{title}”: {name} {_move(f)}",
                    f"{outlet}: “{title}”. {name} {_move(f)}",
                ),
                f,
                "headline",
            )
        return pick(
            (
                f"{name} {_move(f)} with a {outlet} story in focus",
                f"{outlet} story in focus as {name} {_move(f)}",
            ),
            f,
            "headline",
        )
    if kind == "break":
        e = next(e for e in events if e["kind"] == "level_break" and e.get("price") is not None)
        down, level = e["price"] > p["close"], px(f, e["price"])
        bank: tuple[str, ...] = (
            (
                f"{name} breaks support at {level}",
                f"{name} slips through its {level} floor",
                f"Support gives way: {name} closes under {level}",
            )
            if down
            else (
                f"{name} clears resistance at {level}",
                f"{name} breaks out above {level}",
                f"Resistance falls: {name} closes over {level}",
            )
        )
        return pick(bank, f, "headline")
    if kind == "turn":
        e = next(e for e in events if e["kind"] == "direction_change" and e.get("previous"))
        direction = f["signals"]["direction"]
        meaning = assets.direction_phrase(cls, direction, f["instrument"]["symbol"])
        if cls.reads_inverted():
            return pick(
                (f"{name} turns: {meaning}", f"The read on {name} flips to {direction}: {meaning}"),
                f,
                "headline",
            )
        return pick(
            (
                f"{name} turns {direction} as Pulse flips from {e['previous']}",
                f"Pulse flips to {direction} on {name}",
                f"{name}: the read moves from {e['previous']} to {direction}",
            ),
            f,
            "headline",
        )
    if kind == "extreme":
        high = extreme == "high52"
        price = p["high52"] if high else p["low52"]
        bank = (
            (
                f"{name} hits a 52-week high of {px(f, price)} intraday",
                f"{name} sets a one-year intraday high of {px(f, price)}",
            )
            if high
            else (
                f"{name} sinks to a 52-week intraday low of {px(f, price)}",
                f"{name} marks a one-year low of {px(f, price)} intraday",
            )
        )
        return pick(bank, f, "headline")
    if kind == "big_move":
        return pick(
            (
                f"{name} {_move(f)}, a {t['move_atr']:.1f}-ATR move",
                f"Outsized day: {name} {_move(f)} to {_close(f)}",
                f"{name} {_move(f)} {_hook(f)}, {t['move_atr']:.1f} times its average range",
            ),
            f,
            "headline",
        )
    if kind == "divergence":
        bench = f["benchmark"]
        other = bench["change_pct"]
        word = "rises" if other >= 0 else "falls"
        return pick(
            (
                f"{name} {_move(f)} while {bench['symbol']} {word} {fmt_pct(other)}",
                f"{name} goes its own way: {_move(f)} as {bench['symbol']} {word} {fmt_pct(other)}",
            ),
            f,
            "headline",
        )
    if kind == "streak":
        n, up = t["streak_days"], t["streak_direction"] == "up"
        word = "higher" if up else "lower"
        return pick(
            (
                f"{name} closes {word} for a {_ordinal(n)} straight session",
                f"{n} sessions {word}: {name} extends its run to {_close(f)}",
                f"{name} {'up' if up else 'down'} {fmt_pct(t['streak_pct'])} in a {n}-session run",
            ),
            f,
            "headline",
        )
    if kind == "range_edge":
        top = t["range20_position_pct"] >= 50
        return pick(
            (
                f"{name} closes at a 20-session {'high' if top else 'low'} of {_close(f)}",
                f"{name} {_move(f)} to the {'top' if top else 'bottom'} of its 20-session range",
            ),
            f,
            "headline",
        )
    if kind == "vol_extreme":
        hot = p["realized_vol_pctile"] >= 50
        return pick(
            (
                f"{name} {_move(f)} as volatility runs {'hot' if hot else 'cold'}",
                f"{'Choppy' if hot else 'Calm'} trading: {name} {_move(f)} to {_close(f)}",
            ),
            f,
            "headline",
        )
    if kind == "quiet":
        return pick(
            (
                f"{name} holds near {_close(f)} in a quiet session",
                f"A quiet day for {name}, at {_close(f)}",
                f"{name} {_move(f)} to {_close(f)} on a quiet day",
                f"Little changed: {name} at {_close(f)}",
            ),
            f,
            "headline",
        )
    return f"{name} {_move(f)} to {_close(f)} {_hook(f)}"


# ---------------------------------------------------------------- lede and summary


def _levels_clause(f: dict[str, Any], labels: dict[str, str]) -> str:
    below, above = nearest(f, above=False), nearest(f, above=True)
    if below is not None and above is not None:
        return pick(
            (
                f"it sits between {level_phrase(f, below, labels)} and {level_phrase(f, above, labels)}",
                f"{level_phrase(f, above, labels)} caps it, with {level_phrase(f, below, labels)} beneath",
                f"the nearest levels are {level_phrase(f, below, labels)} below and "
                f"{level_phrase(f, above, labels)} above",
            ),
            f,
            "levels",
        )
    if below is not None:
        return f"the nearest mark beneath is {level_phrase(f, below, labels)}"
    if above is not None:
        return f"the nearest mark overhead is {level_phrase(f, above, labels)}"
    return "no stored level is near the price"


def _since_sentence(f: dict[str, Any], item: dict[str, Any]) -> str:
    name = _name(f)
    move = item.get("move_since_pct")
    if move is None:
        if item.get("since_bar_date") is not None:
            return f"{name} has not closed a session since; its last close was {_close(f)}."
        return f"{name} last closed at {_close(f)}."
    n = item.get("sessions_since", 0)
    sessions = "one session" if n == 1 else f"{n} sessions"
    if abs(move) < 0.05:  # rounds to 0.0%: no direction to give
        return f"Since then {name} is flat over {sessions}, at {_close(f)}."
    bp = item.get("move_since_bp")
    if bp is not None:  # a yield: basis points, not a percentage of the yield
        if abs(bp) < 0.5:
            return f"Since then {name} is flat over {sessions}, at {_close(f)}."
        return (
            f"Since then {name} is {'up' if bp >= 0 else 'down'} {abs(bp):.0f} bp over "
            f"{sessions}, from {px(f, item['since_close'])} to {_close(f)}."
        )
    way = "up" if move >= 0 else "down"
    return pick(
        (
            f"Since then {name} is {way} {fmt_pct(move)} over {sessions}, from {px(f, item['since_close'])} "
            f"to {_close(f)}.",
            f"{name} closed at {px(f, f['price']['close'])} on {fmt_date(f['bar_date'])}, {way} "
            f"{fmt_pct(move)} from {px(f, item['since_close'])} before the story.",
        ),
        f,
        "since",
    )


def lede(
    f: dict[str, Any], kind: str, labels: dict[str, str], *, levels_clause: bool = True
) -> str:
    """The first paragraph: what happened, measured, and what it means against the levels
    (``levels_clause=False``: the news as a second paragraph, the levels already said)."""
    name, p, t = _name(f), f["price"], f.get("tape") or {}
    levels = _levels_clause(f, labels)
    day = fmt_date(f["bar_date"])
    if kind == "news":
        item = lead_item(f)
        assert item is not None  # noqa: S101
        when = fmt_date(item["published_at"][:10])
        quote = pick(
            (
                f"{item['outlet']} reported on {when}: “{item['title']}”.",
                f"“{item['title']}”, ran the headline from {item['outlet']} on {when}.",
                f"The story of the window, from {item['outlet']} on {when}: “{item['title']}”.",
            ),
            f,
            "quote",
        )
        # a sentence of its own ("Against the levels, the nearest levels are ..." said "levels"
        # twice in one breath)
        tail = f" {levels[0].upper()}{levels[1:]}." if levels_clause else ""
        return f"{quote} {_since_sentence(f, item)}{tail}"
    if kind == "break":
        e = next(
            e
            for e in (f.get("trigger") or {}).get("events", [])
            if e["kind"] == "level_break" and e.get("price") is not None
        )
        down = e["price"] > p["close"]
        return (
            f"{name} closed at {px(f, p['close'])} on {day}, "
            f"{'below support' if down else 'above resistance'} at {px(f, e['price'])}, a level of "
            f"the previous session's map that now "
            f"{'caps it from above' if down else 'sits below as a floor to defend'}. "
            f"After the break, {levels}."
        )
    if kind == "big_move":
        return (
            f"{name} {_move(f, 'lede', past=True)} on {day} to {_close(f)}, {t['move_atr']:.1f} times its "
            f"14-day average true range: a move outside its usual day. Now {levels}."
        )
    if kind == "divergence":
        bench = f["benchmark"]
        return (
            f"{name} {_move(f, 'lede', past=True)} on {day} while its benchmark {bench['symbol']} went the other "
            f"way, {'up' if bench['change_pct'] >= 0 else 'down'} {fmt_pct(bench['change_pct'])}. "
            f"At {_close(f)}, {levels}."
        )
    if kind == "streak":
        n, way = t["streak_days"], t["streak_direction"]
        return (
            f"{name} has closed {'higher' if way == 'up' else 'lower'} {n} sessions running, "
            f"{way} {fmt_pct(t['streak_pct'])} over the run to {_close(f)} on {day}. Now {levels}."
        )
    if kind == "range_edge":
        top = t["range20_position_pct"] >= 50
        mark = t["range20_high"] if top else t["range20_low"]
        return (
            f"At {px(f, mark)}, {_possessive(name)} close on {day} is its {'highest' if top else 'lowest'} of the "
            f"last 20 sessions, after a day {_move_words(f)}. From here {levels}."
        )
    if kind == "vol_extreme":
        hot = p["realized_vol_pctile"] >= 50
        return (
            f"{name} {_move(f, 'lede', past=True)} on {day} to {_close(f)}, with 20-day realized volatility at "
            f"{fmt_pct(p['realized_vol20_pct'])} a year, {'near the top' if hot else 'near the bottom'} "
            f"of its past year. {levels[0].upper() + levels[1:]}."
        )
    if kind in ("turn", "extreme"):
        return f"{name} {_move(f, 'lede', past=True)} on {day} to {_close(f)}. {levels[0].upper() + levels[1:]}."
    if kind == "quiet":
        return pick(
            (
                f"Little happened in {name} on {day}: it {_move(f, 'lede', past=True)} to {_close(f)}, well "
                f"inside its usual daily range. {levels[0].upper() + levels[1:]}.",
                f"A quiet session for {name}, which closed at {px(f, p['close'])} on {day}, "
                f"{_move_words(f)}. {levels[0].upper() + levels[1:]}.",
            ),
            f,
            "lede",
        )
    return f"{name} {_move(f, 'lede', past=True)} on {day} to {_close(f)}. {levels[0].upper() + levels[1:]}."


def _move_words(f: dict[str, Any]) -> str:
    a, change = f.get("asset") or {}, f["price"]["change_pct"]
    if a.get("change_bp") is not None:
        return f"{'up' if a['change_bp'] >= 0 else 'down'} {abs(a['change_bp']):.0f} bp"
    return f"{'up' if change >= 0 else 'down'} {fmt_pct(change)}"


def summary(f: dict[str, Any], ranked: Sequence[Situation], labels: dict[str, str]) -> str:
    """One line under the headline: the day's fact and the second most notable one, or the
    levels; no scores (they are shown once, in the body)."""
    kind = ranked[0][1]
    first = _first_fact(f, kind)
    # the next notable fact; else the wider picture. Not the levels clause: every lede ends with
    # it, and the same words twice in a row read as a template ("The 52-week high at 449.31 caps
    # it, with support at 447.53 beneath." in the dek and again in the lede of a real SPY brief)
    extra = next((x for _, k in ranked[1:] if (x := _second_fact(f, k)) is not None), None)
    if extra is None:
        extra = _wider_picture(f)
    if extra is None:
        clause = _levels_clause(f, labels)
        extra = clause[0].upper() + clause[1:] + "."
    return f"{first} {extra}"


def _wider_picture(f: dict[str, Any]) -> str | None:
    """ "Over 20 sessions it is up 6.6%." (a yield: in bp); None without 20 sessions."""
    p, a = f["price"], f.get("asset") or {}
    if a.get("change20_bp") is not None:
        bp = a["change20_bp"]
        if abs(bp) < 0.5:
            return "Over 20 sessions the yield is unchanged."
        return f"Over 20 sessions the yield is {'up' if bp > 0 else 'down'} {abs(bp):.0f} bp."
    r20 = p.get("return20_pct")
    if r20 is None:
        return None
    if abs(r20) < 0.05:
        return "Over 20 sessions it is flat."
    return f"Over 20 sessions it is {'up' if r20 > 0 else 'down'} {fmt_pct(r20)}."


def _first_fact(f: dict[str, Any], kind: str) -> str:
    name, p = _name(f), f["price"]
    if kind == "news":
        return _news_summary(f)
    if kind == "break":
        return f"The close at {px(f, p['close'])} went through a level that held the day before."
    if kind == "turn":
        return _turn_summary(f)
    if kind == "extreme":
        return f"{name} closed {_move_words(f)} at {_close(f)}."
    if kind == "big_move":
        return (
            f"A move of {(f.get('tape') or {}).get('move_atr', 0):.1f} ATRs took it to {_close(f)}."
        )
    if kind == "divergence":
        return f"{name} split from its benchmark on the day."
    if kind == "streak":
        return f"Its run reached {(f.get('tape') or {}).get('streak_days', 0)} sessions."
    if kind == "range_edge":
        top = (f.get("tape") or {}).get("range20_position_pct", 0) >= 50
        return f"No close in 20 sessions was {'higher' if top else 'lower'}."
    if kind == "vol_extreme":
        return f"Realized volatility sits at percentile {p.get('realized_vol_pctile', 0):.0f} of the past year."
    if kind == "quiet":
        return pick(
            (
                f"{name} barely moved, {_move_words(f)}.",
                f"A narrow day: {_move_words(f)} at {_close(f)}.",
            ),
            f,
            "summary",
        )
    if kind == "move":
        return f"{name} closed {_move_words(f)} at {_close(f)}."
    return f"{name} closed {_move_words(f)} at {_close(f)}."


def _turn_summary(f: dict[str, Any]) -> str:
    event = next(
        (e for e in (f.get("trigger") or {}).get("events", []) if e["kind"] == "direction_change"),
        None,
    )
    direction = f["signals"]["direction"]
    phrase = assets.direction_phrase(asset_of(f), direction, f["instrument"]["symbol"])
    if event is None or not event.get("previous"):
        return f"Pulse reads {direction}: {phrase}."
    return f"Pulse moved from {event['previous']} to {direction}: {phrase}."


def _news_summary(f: dict[str, Any]) -> str:
    item = lead_item(f)
    assert item is not None  # noqa: S101
    move = item.get("move_since_pct")
    if move is None:
        return f"{item['outlet']} leads the coverage; {_name(f)} has not traded on it yet."
    bp = item.get("move_since_bp")
    if abs(move) < 0.05 or (bp is not None and abs(bp) < 0.5):  # "down 0.0%" is no move
        return f"{_name(f)} is flat since the {item['outlet']} story, at {_close(f)}."
    if bp is not None:  # a yield: basis points, not a percentage of the yield ("down 1.1%")
        return f"{_name(f)} is {'up' if bp >= 0 else 'down'} {abs(bp):.0f} bp since the {item['outlet']} story."
    way = "up" if move >= 0 else "down"
    return f"{_name(f)} is {way} {fmt_pct(move)} since the {item['outlet']} story."


def _second_fact(f: dict[str, Any], kind: str | None) -> str | None:
    p, t = f["price"], f.get("tape") or {}
    if kind == "streak":
        return (
            f"It is {'up' if t['streak_direction'] == 'up' else 'down'} {t['streak_days']} sessions "
            "in a row."
        )
    if kind == "divergence":
        bench = f["benchmark"]
        return f"Its benchmark {bench['symbol']} went the other way."
    if kind == "big_move":
        return f"The move was {t['move_atr']:.1f} times its average true range."
    if kind == "range_edge":
        top = t["range20_position_pct"] >= 50
        return f"It closed at the {'top' if top else 'bottom'} of its 20-session range."
    if kind == "vol_extreme":
        return (
            f"Realized volatility is at percentile {p['realized_vol_pctile']:.0f} of the past year."
        )
    return None


# ---------------------------------------------------------------- meaning and take


def meaning(f: dict[str, Any]) -> str | None:
    """What the instrument's read means for its class (the VIX brief is about fear)."""
    cls, direction = asset_of(f), f["signals"]["direction"]
    read = assets.equity_read(cls, direction)
    up = f["price"]["change_pct"] >= 0
    if cls is assets.VOLATILITY_INDEX:
        today = pick(
            (
                f"The VIX prices the volatility traders expect in US stocks over the next month; "
                f"today's {'rise' if up else 'fall'} means {cls.rise if up else cls.fall}.",
                f"{'A rising' if up else 'A falling'} VIX means {cls.rise if up else cls.fall}.",
            ),
            f,
            "meaning",
        )
        against = read is not None and (f["signals"]["direction"] == "Bullish") != up
        return today + (f" The trend points the other way: {read}." if against else "")
    if cls is assets.YIELD:
        today = f"{'A rising' if up else 'A falling'} yield means {cls.rise if up else cls.fall}."
        against = read is not None and (f["signals"]["direction"] == "Bullish") != up
        return today + (f" The trend points the other way: {read}." if against else "")
    if cls is assets.FX:
        pair = assets.fx_pair(f["instrument"]["symbol"])
        if pair is None:
            return None
        base_ccy, quote = pair
        return (
            f"The pair is the price of one {base_ccy} in {quote}: a rise is the {base_ccy} strengthening. "
            f"It trades {cls.hours}."
        )
    if cls is assets.CRYPTO:
        return f"It trades {cls.hours}." + (f" And {read}." if read else "")
    if cls is assets.FUTURE:
        unit = (f.get("asset") or {}).get("unit")
        what = assets.FUTURE_NAMES.get(assets.future_root(f["instrument"]["symbol"]))
        if what and unit:
            verb = "trade" if what.endswith("futures") else "trades"  # "S&P 500 futures trade"
            return f"Quoted in {unit}, {what} {verb} {cls.hours}."
    return None


def scores(f: dict[str, Any]) -> str:
    """The scores, once: Pulse with its direction in the class's own words, Heat, Risk, Threat."""
    s = f["signals"]
    cls = asset_of(f)
    direction = s["direction"]
    if cls.reads_inverted() or cls is assets.FX:
        read = f"{direction}: {assets.direction_phrase(cls, direction, f['instrument']['symbol'])}"
    else:
        read = direction
    return pick(
        (
            f"The scores: Pulse {s['pulse']:.0f}/100 ({read}), heat {s['heat']:.0f} "
            f"{s['heat_label']}, risk {s['risk']}, Threat Level {s['threat']}/5.",
            f"Pulse {s['pulse']:.0f}/100 reads {read}; heat is {s['heat_label']} and risk "
            f"{s['risk']}, for a Threat Level of {s['threat']}/5.",
        ),
        f,
        "scores",
    )


def _agree(f: dict[str, Any]) -> bool | None:
    """Do the trend and momentum components point the same way (None when one is missing)?"""
    comps = {c["name"]: c["value"] for c in f["signals"]["components"]["pulse"]}
    trend, mom = comps.get("trend"), comps.get("momentum")
    if trend is None or mom is None or abs(trend) < 0.05 or abs(mom) < 0.05:
        return None
    macd = f["price"].get("macd_hist")
    if macd is not None and (macd >= 0) != (trend > 0):
        return False  # the drivers say "MACD runs below its signal line": they do not agree
    return bool((trend > 0) == (mom > 0))


def take(f: dict[str, Any], kind: str, labels: dict[str, str]) -> str:
    """The Take: a stance from the direction in the class's words, the condition that would
    change it (a level), and what today's situation adds."""
    s, cls = f["signals"], asset_of(f)
    direction = s["direction"]
    rough = s["risk"] == "High" or (s["threat"] or 0) >= 4
    below, above = nearest(f, above=False), nearest(f, above=True)
    sym = f["instrument"]["symbol"]
    stance: tuple[str, ...]
    if cls is assets.VOLATILITY_INDEX:
        stance = {
            "Bullish": ("Fear has the upper hand", "Protection is in demand"),
            "Bearish": ("Fear is draining out of the market", "Calm is returning"),
            "Neutral": ("Fear is in a holding pattern", "The fear gauge has no trend"),
        }[direction]
    elif cls is assets.YIELD:
        stance = {
            "Bullish": ("Rates are pushing higher", "The bond sell-off has the upper hand"),
            "Bearish": ("Rates are easing", "Bonds have the upper hand"),
            "Neutral": ("Rates are range-bound", "No trend in rates"),
        }[direction]
    elif direction == "Neutral":
        stance = ("No edge either way", "A range-bound read", "Balanced for now")
    else:
        meaning_words = assets.direction_phrase(cls, direction, sym)
        stance = (
            meaning_words[0].upper() + meaning_words[1:],
            "The bias is up" if direction == "Bullish" else "The bias is down",
            "The tape favours the bulls" if direction == "Bullish" else "Sellers have the edge",
        )
    parts = [pick(stance, f, "take-stance")]
    if direction == "Bearish" or (cls.reads_inverted() and direction == "Bullish"):
        lv, verb = above, ("a close above", "a reclaim of")
    else:
        lv, verb = below, ("a close below", "a break of")
    if lv is not None:
        what = "change that" if direction != "Neutral" else "set the tone"
        parts.append(f"{pick(verb, f, 'take-verb')} {level_phrase(f, lv, labels)} would {what}")
    sentence = "; ".join(parts) + "."
    agree = _agree(f)
    extra = None
    if kind == "news":
        extra = _news_take(f)
    elif kind == "break":
        extra = "A close back through the broken level would make it a false break."
    elif kind == "quiet":
        extra = "A quiet day settles nothing."
    elif agree is True and direction != "Neutral":
        extra = "Trend and momentum point the same way."
    elif agree is False:
        extra = "Trend and momentum disagree, so conviction is low."
    if rough:
        extra = (extra + " " if extra else "") + pick(
            ("Size positions for the volatility.", "Expect wide swings."), f, "take-rough"
        )
    return sentence + (" " + extra if extra else "")
