"""The verifier: every number, percentage, date and cited outlet in a draft, checked against its
fact sheet (pure).

Rounding rule: a number written with ``d`` decimals matches a fact value when they differ by at
most half a unit in the ``d``-th decimal; signs are carried by words ("down 2.3%"), so the
magnitude is compared. Dates must be dates of the fact sheet. An outlet cited as "from X on
<date>" must be an outlet of the fact sheet's sources.

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

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

ROUNDING = "numbers match facts to the decimals written (half a unit in the last place); signs are in words"
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
_NOT_FACTS = frozenset({"title", "snippet", "url", "story_id", "lead_story", "id"})
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
    (re.compile(rf"\bPulse {_AMOUNT}"), "facts.signals.pulse"),
    (re.compile(rf"\bThreat Level (?:of )?{_AMOUNT}"), "facts.signals.threat"),
    (re.compile(rf"\bclosed at {_AMOUNT}"), "facts.price.close"),
    (re.compile(rf"\bATR(?: 14)? (?:is |of |at )?{_AMOUNT}"), "facts.price.atr14"),
    (re.compile(rf"\b50-day average (?:of |at |is )?\(?{_AMOUNT}"), "facts.price.sma50"),
    (re.compile(rf"\b200-day(?: average)? (?:of |at |is )?\(?{_AMOUNT}"), "facts.price.sma200"),
)


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
            "claims": [asdict(c) for c in self.claims],
        }


def verify_texts(texts: Sequence[str], facts: dict[str, Any]) -> Verification:
    numbers = list(_fact_numbers(facts, "facts"))
    dates = set(_fact_dates(facts))
    outlets = {str(n["outlet"]) for n in facts.get("news", [])}
    protected = _protected_names(facts)
    quotable = [f"{n.get('title', '')}\n{n.get('snippet', '')}" for n in facts.get("news", [])]
    claims: list[Claim] = []
    for text in texts:
        text, quotes = _take_quotes(text, quotable)
        claims.extend(quotes)
        claims.extend(_check_typed(text, numbers, facts))
        claims.extend(_check_text(text, numbers, dates, outlets, protected))
    return Verification(all(c.grounded for c in claims), tuple(claims))


def _take_quotes(text: str, quotable: Sequence[str]) -> tuple[str, list[Claim]]:
    """Quotes out of the text (each a claim: taken from a source?), the rest to check."""
    claims = [
        Claim("quote", m.group(0), any(m.group(1) in q for q in quotable), "news.title|snippet")
        for m in _QUOTE.finditer(text)
    ]
    return _QUOTE.sub(" ", text), [
        c if c.grounded else Claim(c.kind, c.text, False, None) for c in claims
    ]


def _check_typed(
    text: str, numbers: list[tuple[str, float]], facts: dict[str, Any]
) -> Iterator[Claim]:
    close = float((facts.get("price") or {}).get("close") or 0.0)
    for pattern, where in _TYPED:
        for match in pattern.finditer(text):
            raw = match.group(1)
            value = float(raw.replace(",", ""))
            decimals = len(raw.split(".")[1]) if "." in raw else 0
            if where in ("<close", ">close"):
                below = where == "<close"
                allowed = [
                    (p, v)
                    for p, v in numbers
                    if (p.startswith("facts.levels[") and (v <= close if below else v >= close))
                    or p.startswith("facts.trigger.events[")  # the level that broke
                ]
            else:
                allowed = [(p, v) for p, v in numbers if p == where]
            found = _find_number(value, decimals, allowed)
            yield Claim("typed", match.group(0), found is not None, found)


def _check_text(
    text: str,
    numbers: list[tuple[str, float]],
    dates: set[date],
    outlets: set[str],
    protected: list[str],
) -> Iterator[Claim]:
    for name in _outlet_mentions(text):
        grounded = _outlet_key(name) in {_outlet_key(o) for o in outlets}
        yield Claim("outlet", name, grounded, "news.outlet" if grounded else None)
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
        pool = [(p, v) for p, v in numbers if p.endswith("_pct")] if pct else numbers
        sign = _stated_sign(stripped[: match.start()]) if pct else 0
        candidates = pool if sign == 0 else [(p, v) for p, v in pool if v * sign >= 0]
        where = _find_number(value, decimals, candidates)
        if where is None and sign != 0 and _find_number(value, decimals, pool) is not None:
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
    return name.lower().removeprefix("the ").strip()


def _outlet_mentions(text: str) -> list[str]:
    """Names the text cites as a source ("from X on Nov 19", "according to X", "X reported")
    and well-known outlet names anywhere."""
    found: dict[str, None] = {}
    for pattern in _CITATIONS:
        for match in pattern.finditer(text):
            found[match.group(1).strip()] = None
    for match in _KNOWN.finditer(text):
        found[match.group(1)] = None
    return list(found)


def _match_date(match: re.Match[str]) -> date:
    if match.group(1):
        month = _MONTHS.split("|").index(match.group(1)[:3]) + 1
        return date(int(match.group(3)), month, int(match.group(2)))
    return date(int(match.group(4)), int(match.group(5)), int(match.group(6)))


def _find_number(value: float, decimals: int, numbers: list[tuple[str, float]]) -> str | None:
    tolerance = 0.5 * 10.0**-decimals + 1e-9
    for path, fact in numbers:
        if abs(abs(fact) - value) <= tolerance:
            return path
    return None


def _fact_numbers(node: Any, path: str) -> Iterator[tuple[str, float]]:
    if isinstance(node, bool) or node is None:
        return
    if isinstance(node, int | float):
        yield path, float(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in _NOT_FACTS:
                yield from _fact_numbers(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _fact_numbers(value, f"{path}[{i}]")


def _fact_dates(node: Any) -> Iterator[date]:
    if isinstance(node, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", node):
        yield datetime.fromisoformat(node).date() if "T" in node else date.fromisoformat(node)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _fact_dates(value)
    elif isinstance(node, list):
        for value in node:
            yield from _fact_dates(value)


def _protected_names(facts: dict[str, Any]) -> list[str]:
    """Names whose digits are not claims ("Demo Market 500", "DCN-USD", outlet names)."""
    inst = facts["instrument"]
    names = [inst["name"], inst["symbol"], *(str(n["outlet"]) for n in facts.get("news", []))]
    names += [str(n) for n in facts.get("names", ())]  # the sheet's other names (market brief)
    if facts.get("benchmark"):
        names.append(facts["benchmark"]["symbol"])
    return sorted({n for n in names if n}, key=len, reverse=True)
