"""The verifier: every number, percentage, date and cited outlet in a draft, checked against its
fact sheet (pure).

Rounding rule: a number written with ``d`` decimals matches a fact value when the fact, rounded
once to ``d`` decimals, reads the same (half-even on the stored float as Python formats it, or
half-up on its decimal repr: either is one rounding). A value rounded twice ("3.8%" from a raw
3.745 stored as 3.75) is caught, so the fact sheet carries raw values. Signs are carried by words
("down 2.3%"), so the magnitude is compared. Dates must be dates of the fact sheet.

Outlets: a name the text cites ("from X on <date>", "according to X", "X reported", or a
well-known outlet name anywhere) must be one of the fact sheet's own source fields, compared
loosely (case, accents, a leading "The", "&" for "and", dots and dashes): a source's outlet, its
feed title, its domain or the domain's name ("Reuters" for reuters.com), or a name inside a feed
title's own parts ("Seeking Alpha" of "AAPL - News and Analysis from Seeking Alpha", not "Alpha"). The source fields
themselves, written in full, are grounded before the text is scanned for citations.

Claims within the data (``facts["history"]``, see ``facts.build_history``): a "52-week",
"one-year" or "past year" claim needs a full year of sessions (252) on record; an "N-session
high" or "N sessions on record" names the sessions actually on record; a claim that the session
set a high or low needs the bar to have set it, says "intraday" when only the bar's high or low
did (not the close), and a headline never leads with an extreme the close moved away from (an
intraday low on an up day). The drawdown ("X% below its ... high") must be the drawdown, the
ATR share ("or X% of price") the ATR share, a percentile the percentile.

Percentages: a number written with "%" must match a percentage of the fact sheet (a field named
``*_pct``), not any number: "0.4%" is not grounded by a weight of 0.4.

Directions: a percentage after a word that gives it a sign ("up", "falls", "a loss of") must
match a fact of that sign: "rises 2.3%" on a 2.3 % fall is caught.

Typed claims: a number right after a label must match a fact of that kind, not just any fact:
"support at X" a level at or below the close, "resistance at X" one at or above it, "RSI 14 is X"
the RSI, "Pulse X/100" the Pulse, "Threat Level X/5" the threat, "closed at X" the close, "ATR 14
is X" the ATR, "50-day average of X" and "200-day ..." the averages. A writer that swaps two real
numbers is caught. Quotes in curly quotes (“…”) must be taken from a source's title or snippet;
their digits are the source's, not claims of the brief.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from tapewire.newsroom import assets

ROUNDING = "numbers match facts rounded once to the decimals written, from the raw value; signs are in words"
FULL_YEAR_SESSIONS = 252  # a "52-week" or "one-year" claim needs this many sessions on record
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_DATE = re.compile(
    rf"\b({_MONTHS})[a-z]* (\d{{1,2}}), (\d{{4}})\b|\b(\d{{4}})-(\d{{2}})-(\d{{2}})\b"
)
_NUMBER = re.compile(r"(?<![\w.^$])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w])")
_NAME = r"((?:The )?[A-Z][\w&.'\-]*(?: [A-Z][\w&.'\-]*){0,4})"
_CITATIONS = (
    re.compile(rf"\bfrom {_NAME} on (?:{_MONTHS})"),
    re.compile(rf"\b[Aa]ccording to {_NAME}"),
    re.compile(rf"\b[Pp]er {_NAME}"),
    re.compile(rf"\b{_NAME} (?:reported|reports|said|says|wrote|writes|noted)\b"),
)
# A literal each of _CITATIONS needs (one of them): a text without it is not scanned (issue #16).
_CITATION_NEEDS: tuple[tuple[str, ...], ...] = (
    ("from ",),
    ("ccording to ",),
    ("per ", "Per "),
    (" report", " said", " says", " wrote", " writes", " noted"),
)
# Outlets a text may name without a citation phrase; each must be among the fact sheet's sources.
KNOWN_OUTLETS = (
    "Reuters",
    "Bloomberg",
    "CNBC",
    "MarketWatch",
    "Wall Street Journal",
    "Financial Times",
    "Barron's",
    "Associated Press",
    "AFP",
    "Dow Jones",
    "Yahoo Finance",
    "Forbes",
    "Fortune",
    "Axios",
    "The Economist",
    "Seeking Alpha",
    "Business Insider",
    "Investing.com",
    "Benzinga",
    "TheStreet",
)
# Keys whose values are not claims a text may make: quotes are shown as quotes, ids are ids.
_NOT_FACTS = frozenset(
    {"title", "snippet", "url", "story_id", "lead_story", "id", "feed_title", "domain"}
)
_KNOWN = re.compile(r"\b(" + "|".join(re.escape(o) for o in KNOWN_OUTLETS) + r")\b")


_QUOTE = re.compile(r"“([^”]{3,400})”")
_AMOUNT = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# (label before a number, the fact paths it may match); "<close" and ">close" mean a level below or
# above the close (any kind: a round number or an average can be support too), or the level that
# a signal event says broke.
_TYPED = (
    (re.compile(rf"\b[Ss]upport (?:at |of |near |zone )?{_AMOUNT}"), "<close"),
    (re.compile(rf"\b[Rr]esistance (?:at |of |near |zone )?{_AMOUNT}"), ">close"),
    (re.compile(rf"\bRSI(?: 14)?(?: is| at| of| reads)? {_AMOUNT}"), "facts.price.rsi14"),
    (re.compile(rf"\bPulse {_AMOUNT}"), "facts.signals.pulse|facts.twin.pulse"),
    (re.compile(rf"\bThreat Level (?:of )?{_AMOUNT}"), "facts.signals.threat"),
    (re.compile(rf"\bclosed at {_AMOUNT}"), "facts.price.close"),
    (re.compile(rf"\bATR(?: 14)? (?:is |of |at )?{_AMOUNT}"), "facts.price.atr14"),
    (re.compile(rf"\b50-day average (?:of |at |is )?\(?{_AMOUNT}"), "facts.price.sma50"),
    (re.compile(rf"\b200-day(?: average)? (?:of |at |is )?\(?{_AMOUNT}"), "facts.price.sma200"),
    (
        re.compile(rf"\b{_AMOUNT}% below (?:its|the) [\w-]+(?: [\w-]+)? high\b"),
        "facts.signals.components.risk.drawdown_pct|facts.price.drawdown_pct",
    ),
    (re.compile(rf"\b(?:or )?{_AMOUNT}% of price\b"), "facts.signals.components.risk.atr_pct"),
    (
        re.compile(rf"\bpercentile (?:of )?{_AMOUNT}"),
        "facts.price.realized_vol_pctile|facts.price.vix_pctile|facts.signals.components.risk.vol_pctile",
    ),
    (
        re.compile(
            rf"\b{_AMOUNT}(?:-session (?:intraday |closing )?(?:high|low|range)| sessions? on record)"
        ),
        "facts.history.sessions|facts.history.range_sessions|facts.tape.range_days",
    ),
)
# A literal each pattern of _TYPED needs (one of them, in order): a text without it is not scanned
# (issue #16: 13 patterns over ~18 texts per brief, most with no label at all).
_TYPED_NEEDS: tuple[tuple[str, ...], ...] = (
    ("upport ",),
    ("esistance ",),
    ("RSI",),
    ("Pulse ",),
    ("Threat Level ",),
    ("closed at ",),
    ("ATR",),
    ("50-day average ",),
    ("200-day",),
    ("% below ",),
    ("% of price",),
    ("percentile ",),
    ("-session", " session"),
)
# A window the claim says it covers: a full year needs FULL_YEAR_SESSIONS sessions on record.
_YEAR_WINDOW = re.compile(
    r"\b(?:52-week|52 week|one-year|1-year|12-month|year-long|yearly)\b"
    r"|\b(?:past|last|prior) (?:year|12 months|52 weeks)\b|\bin (?:a|one|over a) year\b",
    re.IGNORECASE,
)
# "hits / sets / marks ... a high", "closes at a ... low": the session set an extreme.
_SET_EXTREME = re.compile(
    r"\b(?P<verb>hits?|hitting|sets?|setting|marks|marked|marking|touch(?:es|ed|ing)?|reach(?:es|ed)?|"
    r"sinks? to|slides? to|falls? to|climbs? to|rises? to|makes?|prints?|notch(?:es)?|"
    r"clos(?:es|ed|ing) at)\b"
    r"(?P<span>[^.;:!?]{0,60}?)\b(?P<side>high|low)s?\b(?! of the (?:range|zone))",
    re.IGNORECASE,
)
_CLOSING = re.compile(r"\bclos(?:es|ed|ing)\b", re.IGNORECASE)


# Words that give a percentage its sign (signs are carried by words; a "rises 2.3%" on a 2.3 %
# fall is a wrong claim even though 2.3 is a fact).
_UP_WORDS = frozenset(
    [
        "up",
        "rise",
        "rises",
        "rose",
        "risen",
        "climb",
        "climbs",
        "climbed",
        "gain",
        "gains",
        "gained",
        "advance",
        "advances",
        "advanced",
        "jump",
        "jumps",
        "jumped",
        "rally",
        "rallies",
        "rallied",
        "surge",
        "surges",
        "surged",
        "firm",
        "firms",
        "firmed",
        "leap",
        "leaps",
        "leaped",
        "higher",
        "outperformed",
        "outperforms",
        "added",
        "adds",
    ]
)
_DOWN_WORDS = frozenset(
    [
        "down",
        "fall",
        "falls",
        "fell",
        "fallen",
        "slip",
        "slips",
        "slipped",
        "ease",
        "eases",
        "eased",
        "dip",
        "dips",
        "dipped",
        "drop",
        "drops",
        "dropped",
        "tumble",
        "tumbles",
        "tumbled",
        "slide",
        "slides",
        "slid",
        "sink",
        "sinks",
        "sank",
        "lower",
        "loss",
        "losses",
        "lost",
        "soften",
        "softens",
        "softened",
        "lagged",
        "lags",
        "shed",
        "sheds",
        "decline",
        "declines",
        "declined",
    ]
)


@dataclass(frozen=True, slots=True)
class Claim:
    kind: str  # number | percent | date | outlet | quote | typed | direction
    text: str
    grounded: bool
    fact: str | None  # where in the fact sheet it was found


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    claims: tuple[Claim, ...]
    rounding: str = ROUNDING

    @property
    def failed(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if not c.grounded)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": len(self.claims),
            "failed": len(self.failed),
            "rounding": self.rounding,
            # asdict's output for these flat fields, without its deep copies (issue #16)
            "claims": [
                {"kind": c.kind, "text": c.text, "grounded": c.grounded, "fact": c.fact}
                for c in self.claims
            ],
        }


def verify_texts(
    texts: Sequence[str], facts: dict[str, Any], *, headline: str | None = None
) -> Verification:
    """Every claim of ``texts`` against ``facts``; ``headline`` (one of the texts) is also held to
    the headline rules (it never leads with an extreme the close moved away from)."""
    found, dates = _collect_facts(facts)
    numbers = _Numbers(found)
    outlets = outlet_names(facts)
    protected = _protected_names(facts)
    quotable = [f"{n.get('title', '')}\n{n.get('snippet', '')}" for n in facts.get("news", [])]
    claims: list[Claim] = []
    for text in texts:
        text, quotes = _take_quotes(text, quotable)
        claims.extend(quotes)
        claims.extend(
            _check_history(text, facts, is_headline=headline is not None and text == headline)
        )
        claims.extend(_check_typed(text, numbers, facts))
        claims.extend(_check_text(text, numbers, dates, outlets, protected))
    return Verification(all(c.grounded for c in claims), tuple(claims))


def verify_draft(draft: Any, facts: dict[str, Any]) -> Verification:
    """``verify_texts`` of a draft (``writers.base.Draft``), its headline held to the headline rules."""
    return verify_texts(draft.texts(), facts, headline=draft.headline)


def outlet_names(facts: dict[str, Any]) -> list[str]:
    """The names the fact sheet's sources go by: outlet, feed title and domain of each."""
    names: dict[str, None] = {}
    for source in facts.get("news", []):
        for key in ("outlet", "feed_title", "domain"):
            if source.get(key):
                names[str(source[key])] = None
    return list(names)


def _check_history(text: str, facts: dict[str, Any], *, is_headline: bool) -> Iterator[Claim]:
    """Claims about the window of history and the session's extremes (module docstring)."""
    if "history" not in facts:
        return  # a fact sheet without history (another writer's): its year claims are unjudged
    history = facts.get("history") or {}
    full_year = bool(history.get("full_year"))
    for match in _YEAR_WINDOW.finditer(text):
        yield Claim(
            "window", match.group(0), full_year, "facts.history.full_year" if full_year else None
        )
    change = float((facts.get("price") or {}).get("change_pct") or 0.0)
    for match in _SET_EXTREME.finditer(text):
        side = match.group("side").lower()
        span = match.group("span").lower()
        window = re.search(r"\b(\d+)-session\b", span)
        tape = facts.get("tape") or {}
        if window and int(window.group(1)) == tape.get("range_days"):
            # the writer's short closing range ("closes at a 20-session low"), not the year's
            position = tape.get("range20_position_pct")
            at_edge = position is not None and (
                position <= 1e-9 if side == "low" else position >= 100.0 - 1e-9
            )
            where_tape = f"facts.tape.range20_{side}"
            yield Claim("extreme", match.group(0), at_edge, where_tape if at_edge else None)
            continue
        named = re.sub(r"\b\d+-(?:week|session|month|year|day)\b", " ", span)
        if re.search(
            r"\d|\b(?:set on|since|from|off|below|above|under|over|near|test|toward|towards|"
            r"within|back)\b",
            named,
        ):
            continue  # a named level ("touches its 52-week high of X", "below its high"), not a new one
        intraday = bool(history.get(f"new_{side}_intraday"))
        closing = bool(history.get(f"new_{side}_close"))
        says_intraday = "intraday" in text.lower()
        says_close = bool(_CLOSING.search(match.group(0))) or "closing" in span
        if says_close:
            grounded = closing
        elif says_intraday:
            grounded = intraday
        else:
            grounded = closing and intraday  # "hits a high": the close and the bar both set it
        against = (side == "low" and change > 0) or (side == "high" and change < 0)
        if is_headline and against:
            grounded = False  # the headline leads with an extreme the close moved away from
        where = f"facts.history.new_{side}_{'close' if says_close else 'intraday'}"
        yield Claim("extreme", match.group(0), grounded, where if grounded else None)


def _take_quotes(text: str, quotable: Sequence[str]) -> tuple[str, list[Claim]]:
    """Quotes out of the text (each a claim: taken from a source?), the rest to check."""
    claims = [
        Claim("quote", m.group(0), any(m.group(1) in q for q in quotable), "news.title|snippet")
        for m in _QUOTE.finditer(text)
    ]
    return _QUOTE.sub(" ", text), [
        c if c.grounded else Claim(c.kind, c.text, False, None) for c in claims
    ]


def _check_typed(text: str, numbers: _Numbers, facts: dict[str, Any]) -> Iterator[Claim]:
    close = float((facts.get("price") or {}).get("close") or 0.0)
    for (pattern, where), needs in zip(_TYPED, _TYPED_NEEDS, strict=True):
        if not any(n in text for n in needs):
            continue
        for match in pattern.finditer(text):
            raw = match.group(1)
            value = float(raw.replace(",", ""))
            decimals = len(raw.split(".")[1]) if "." in raw else 0
            keep = _typed_keep(where, close)
            found = _find_number(value, decimals, numbers, keep)
            yield Claim("typed", match.group(0), found is not None, found)


def _typed_keep(where: str, close: float) -> Callable[[str, float], bool]:
    """The facts a typed claim may match (see _TYPED)."""
    if where in ("<close", ">close"):
        below = where == "<close"

        def keep_level(path: str, value: float) -> bool:
            return (
                path.startswith("facts.levels[") and (value <= close if below else value >= close)
            ) or path.startswith("facts.trigger.events[")  # the level that broke

        return keep_level
    paths = frozenset(where.split("|"))

    def keep_path(path: str, _value: float) -> bool:
        return path in paths

    return keep_path


def _check_text(
    text: str,
    numbers: _Numbers,
    dates: set[date],
    outlets: list[str],
    protected: list[str],
) -> Iterator[Claim]:
    masked = text
    for name in sorted(outlets, key=len, reverse=True):  # the sources' own names, in full
        if name in masked:
            masked = masked.replace(name, " \u00a4 ")
            yield Claim("outlet", name, True, "news.outlet|feed_title|domain")
    for name in protected:  # "Dow Jones Industrial Average" names the index, not the outlet
        masked = masked.replace(name, " ")
    for name in _outlet_mentions(masked):
        grounded = _outlet_grounded(name, outlets)
        yield Claim("outlet", name, grounded, "news.outlet|feed_title|domain" if grounded else None)
    for match in _DATE.finditer(text):
        day = _match_date(match)
        yield Claim("date", match.group(0), day in dates, day.isoformat() if day in dates else None)
    stripped = _DATE.sub(" ", text)
    for name in protected:
        stripped = stripped.replace(name, " ")
    for match in _NUMBER.finditer(stripped):
        whole, frac, pct = match.group(1), match.group(2) or "", match.group(3)
        value = float((whole + frac).replace(",", ""))
        decimals = len(frac) - 1 if frac else 0
        pool = _is_pct if pct else None
        sign = _stated_sign(stripped[: match.start()]) if pct else 0
        candidates = pool if sign == 0 else (_is_gain_pct if sign > 0 else _is_loss_pct)
        where = _find_number(value, decimals, numbers, candidates)
        if where is None and sign != 0 and _find_number(value, decimals, numbers, pool) is not None:
            yield Claim("direction", match.group(0), False, None)  # the right size, wrong way
            continue
        yield Claim("percent" if pct else "number", match.group(0), where is not None, where)


def _stated_sign(before: str) -> int:
    """+1 or -1 when one of the last three words before a percentage says which way it went
    ("up", "falls", "a loss of"), else 0. "above"/"below" say where, not which way: not read."""
    for word in reversed(re.findall(r"[a-z]+", before.lower())[-3:]):
        if word in _UP_WORDS:
            return 1
        if word in _DOWN_WORDS:
            return -1
    return 0


def _outlet_key(name: str) -> str:
    """A name as compared: no accents, no case, "&" as "and", punctuation as spaces, no "The"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("&", " and ")
    words = re.sub(r"[\W_]+", " ", text).split()
    return " ".join(words[1:] if words[:1] == ["the"] and len(words) > 1 else words)


def _domain_name(domain: str) -> str:
    """The name part of a registered domain: "reuters" of reuters.com, "bbc" of bbc.co.uk."""
    labels = [x for x in domain.lower().removeprefix("www.").split(".") if x]
    if len(labels) >= 3 and labels[-2] in ("co", "com", "net", "org", "ac", "gov", "or", "ne"):
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")


# Where a feed title splits into names: "AAPL - News and Analysis from Seeking Alpha" holds
# "Seeking Alpha"; "Handelsblatt <en dash> Märkte" holds "Handelsblatt". A fragment ("Alpha") is
# no name.
_TITLE_PARTS = re.compile(r"\s+[-\u2013\u2014|:\u00b7]\s+|\s+(?:from|by|at|via|on)\s+|:\s+")


def _outlet_grounded(name: str, outlets: Sequence[str]) -> bool:
    """Is ``name`` one of the sources' names, a domain's name, or a name inside a feed title?"""
    key = _outlet_key(name)
    if not key:
        return False
    for outlet in outlets:
        other = _outlet_key(outlet)
        if key == other or key in (_outlet_key(part) for part in _TITLE_PARTS.split(outlet)):
            return True
        is_domain = "." in outlet and " " not in outlet.strip()
        if is_domain and key.replace(" ", "") in (_domain_name(outlet), other.replace(" ", "")):
            return True
    return False


def _outlet_mentions(text: str) -> list[str]:
    """Names the text cites as a source ("from X on Nov 19", "according to X", "X reported")
    and well-known outlet names anywhere."""
    found: dict[str, None] = {}
    for pattern, needs in zip(_CITATIONS, _CITATION_NEEDS, strict=True):
        if any(n in text for n in needs):
            for match in pattern.finditer(text):
                found[match.group(1).strip()] = None
    if any(name in text for name in KNOWN_OUTLETS):
        for match in _KNOWN.finditer(text):
            found[match.group(1)] = None
    return list(found)


def _match_date(match: re.Match[str]) -> date:
    if match.group(1):
        month = _MONTHS.split("|").index(match.group(1)[:3]) + 1
        return date(int(match.group(3)), month, int(match.group(2)))
    return date(int(match.group(4)), int(match.group(5)), int(match.group(6)))


def _is_pct(path: str, _value: float) -> bool:
    return path.endswith("_pct")


def _is_gain_pct(path: str, value: float) -> bool:
    return path.endswith("_pct") and value >= 0


def _is_loss_pct(path: str, value: float) -> bool:
    return path.endswith("_pct") and -value >= 0


class _Numbers:
    """A fact sheet's numbers (path, value) in sheet order, indexed once per sheet by magnitude
    (issue #16: ~2,000 facts per sheet, ~70 claims per brief, each looked up among the few facts
    near it instead of all of them)."""

    __slots__ = ("_magnitudes", "_order", "items")

    def __init__(self, items: list[tuple[str, float]]) -> None:
        self.items = items
        # NaN never reads as a written number (_displays), and would break the sort
        magnitudes = [abs(v) for _, v in items]
        order = sorted(
            (i for i, m in enumerate(magnitudes) if not math.isnan(m)),
            key=magnitudes.__getitem__,
        )
        self._order = order
        self._magnitudes = [magnitudes[i] for i in order]

    def near(self, value: float, tolerance: float) -> list[int]:
        """Indexes (in sheet order) of every fact whose magnitude is within ``tolerance`` of
        ``value``, and maybe a few more (the window is twice as wide: the caller tests each)."""
        lo = bisect_left(self._magnitudes, value - 2 * tolerance)
        hi = bisect_right(self._magnitudes, value + 2 * tolerance)
        return sorted(self._order[lo:hi])


def _find_number(
    value: float,
    decimals: int,
    numbers: _Numbers,
    keep: Callable[[str, float], bool] | None = None,
) -> str | None:
    """The first fact (in sheet order, of those ``keep`` accepts) that, rounded once to
    ``decimals``, reads ``value`` (magnitudes)."""
    written = Decimal(f"{value:.{decimals}f}")
    near, tolerance = float(written), 10.0**-decimals
    items = numbers.items
    for i in numbers.near(near, tolerance):
        path, fact = items[i]
        if abs(abs(fact) - near) > tolerance:
            continue
        if (keep is None or keep(path, fact)) and _displays(abs(fact), decimals, written):
            return path
    return None


def _displays(fact: float, decimals: int, written: Decimal) -> bool:
    """``fact`` rounded once to ``decimals`` is ``written``: half-even on the float as Python
    formats it, or half-up on its shortest decimal repr (a writer may do either)."""
    if abs(fact - float(written)) > 10.0**-decimals:  # fast path: far apart
        return False
    if Decimal(f"{fact:.{decimals}f}") == written:
        return True
    try:
        quantum = Decimal(1).scaleb(-decimals)
        return Decimal(repr(fact)).quantize(quantum, rounding=ROUND_HALF_UP) == written
    except InvalidOperation:  # nan, inf
        return False


def _fact_numbers(facts: dict[str, Any]) -> list[tuple[str, float]]:
    """Every number of the sheet with its path ("facts.levels[0].price"), in sheet order."""
    return _collect_facts(facts)[0]


def _fact_dates(facts: dict[str, Any]) -> set[date]:
    """Every date of the sheet (ISO dates and datetimes in its strings)."""
    return _collect_facts(facts)[1]


def _collect_facts(facts: dict[str, Any]) -> tuple[list[tuple[str, float]], set[date]]:
    """The sheet's numbers (in sheet order, not under a ``_NOT_FACTS`` key) and its dates (under
    any key), in one walk (issue #16: was two recursive generators)."""
    numbers: list[tuple[str, float]] = []
    dates: set[date] = set()
    _collect(facts, "facts", numbers, dates)
    return numbers, dates


def _collect(
    node: dict[str, Any] | list[Any],
    path: str | None,  # None: under a key that is not a fact (its dates still count)
    numbers: list[tuple[str, float]],
    dates: set[date],
) -> None:
    pairs: Iterator[tuple[Any, Any]]
    if isinstance(node, dict):
        pairs = iter(node.items())
        is_dict = True
    else:
        pairs = enumerate(node)
        is_dict = False
    for key, value in pairs:
        if isinstance(value, str):
            if len(value) >= 10 and value[4] == "-" and _ISO_DAY.fullmatch(value):
                dates.add(
                    datetime.fromisoformat(value).date()
                    if "T" in value
                    else date.fromisoformat(value)
                )
            continue
        if value is None or isinstance(value, bool):
            continue
        if path is None or (is_dict and key in _NOT_FACTS):
            child = None
        else:
            child = f"{path}.{key}" if is_dict else f"{path}[{key}]"
        if isinstance(value, int | float):
            if child is not None:
                numbers.append((child, float(value)))
        elif isinstance(value, dict | list):
            _collect(value, child, numbers, dates)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(T.*)?")


def _protected_names(facts: dict[str, Any]) -> list[str]:
    """Names whose digits are not claims ("Demo Market 500", "DCN-USD", outlet names)."""
    inst = facts["instrument"]
    names = [inst["name"], inst["symbol"], *outlet_names(facts)]
    # the name the writer gives a future ("S&P 500 futures" for ES=F, whatever name is stored)
    if str(inst["symbol"]).upper().endswith("=F"):
        names.append(assets.FUTURE_NAMES.get(assets.future_root(str(inst["symbol"])), ""))
    names += [str(n) for n in facts.get("names", ())]  # the sheet's other names (market brief)
    names += [str(n["via"]) for n in facts.get("news", ()) if n.get("via")]  # SPY: "S&P 500"
    if facts.get("benchmark"):
        names.append(facts["benchmark"]["symbol"])
    if (facts.get("pair") or {}).get("benchmark_name"):
        names.append(str(facts["pair"]["benchmark_name"]))
    return sorted({n for n in names if n}, key=len, reverse=True)
