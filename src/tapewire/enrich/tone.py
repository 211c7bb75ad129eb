"""Tone of a news item toward one instrument (pure): which way the item cuts for THAT instrument.

"Oil jumps, stocks drop" is negative for an equity index and positive for crude; "X cuts 10% of
staff" is negative for X unless the item says its stock rose on it. The whole-sentence mood (the
``sentiment`` model) cannot tell these apart, so ``tone_toward`` works on clauses:

1. The title is split into clauses at commas, semicolons, colons, dashes and the joining words
   "as", "while", "but", "after", "despite", "amid", "on", "following", "even as", "though".
2. The clauses about the target are those naming it (symbol, cashtag, name, alias, or for
   broad-market and macro instruments the words readers use: "stocks", "Wall Street", "the Dow",
   "oil", "crude", "gold", "yields", "bitcoin"...); for a company, a clause about "shares" or
   "stock" that names no other subject counts when the title names the company elsewhere.
3. Each target clause is scored from cues, in this order of precedence:
   a. a price move of the target ("jumps", "slides", "rallies", "sinks", "hits record high"):
      the price speaks for itself, so it overrides every event cue;
   b. domain cues: a metric x direction within a few words ("profit rises" +, "loss widens" -,
      "loss narrows" +, "cuts dividend" -), "from X to Y" changes (signed by the metric),
      loss<->profit turns ("swings to a profit" +, "swings to a loss" -), beats/misses,
      upgrades/downgrades and price-target changes, layoffs/job cuts (-), and a small set of
      company events (probe, recall, lawsuit, bankruptcy -; approval, record, buyback +).
   A negator ("not", "no", "fails to") within two words before a cue flips it.
4. If the title has no price move for the target, the summary's sentences about the target
   (or, for a company, about "shares"/"the stock") are read for one: "X cuts 10% of staff" with
   "shares rose 4% on the news" is positive.
5. With no cue at all, the tone falls back to the sentence sentiment model on the target's
   clauses, or on the whole title minus clauses about another asset ("Oil jumps" says nothing
   about an equity index it reached through a theme: 0.0).

The result is in [-1, 1]; a cue-based tone is at least ``CUE_FLOOR`` in size so that it clears
the sentiment model's neutral band.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tapewire.enrich.sentiment_lexicon import stem

CUE_FLOOR = 0.4  # |tone| of the weakest cue-based verdict
PRICE, DOMAIN = "price", "domain"

# Words readers use for broad-market and macro instruments, by symbol (upper-case).
BROAD_MARKET = (
    "stocks",
    "equities",
    "wall street",
    "wall st",
    "the market",
    "us stocks",
    "u.s. stocks",
    "stock market",
    "markets",
    "global stocks",
    "world stocks",
)
_GENERIC_TERMS: dict[str, tuple[str, ...]] = {
    "^GSPC": ("s&p 500", "s&p", "sp500", "spx", "spy", *BROAD_MARKET),
    "SPY": ("s&p 500", "s&p", "spx", *BROAD_MARKET),
    "^DJI": ("dow", "dow jones", "blue chips", "blue-chip", *BROAD_MARKET),
    "DIA": ("dow", "dow jones", "blue chips", *BROAD_MARKET),
    "^IXIC": ("nasdaq", "tech stocks", "technology stocks", "tech shares", *BROAD_MARKET),
    "QQQ": ("nasdaq", "nasdaq 100", "tech stocks", *BROAD_MARKET),
    "^NDX": ("nasdaq 100", "nasdaq", "tech stocks", *BROAD_MARKET),
    "^RUT": ("russell 2000", "russell", "small caps", "small-caps", "small-cap stocks"),
    "IWM": ("russell 2000", "russell", "small caps", "small-caps", "small-cap stocks"),
    "^VIX": ("vix", "volatility", "fear gauge", "wall street's fear gauge"),
    "CL=F": ("oil", "crude", "wti", "brent", "oil prices", "crude oil", "crude futures"),
    "BZ=F": ("oil", "crude", "brent", "oil prices"),
    "USO": ("oil", "crude", "wti", "oil prices"),
    "XLE": ("energy stocks", "energy shares", "energy sector", "oil stocks", "energy"),
    "GC=F": ("gold", "bullion", "gold prices", "gold futures"),
    "GLD": ("gold", "bullion", "gold prices"),
    "SI=F": ("silver",),
    "NG=F": ("natural gas", "nat gas", "gas prices"),
    "HG=F": ("copper",),
    "^TNX": ("yields", "yield", "10-year", "treasury yields", "bond yields", "treasuries"),
    "^FVX": ("yields", "yield", "5-year", "treasury yields"),
    "^TYX": ("yields", "30-year", "long bond"),
    "DX-Y.NYB": ("dollar", "greenback", "u.s. dollar", "us dollar", "dollar index"),
    "BTC-USD": ("bitcoin", "btc", "crypto", "cryptocurrencies", "cryptocurrency"),
    "ETH-USD": ("ether", "ethereum", "eth", "crypto"),
    "EURUSD=X": ("euro",),
    "JPY=X": ("yen",),
    "GBPUSD=X": ("sterling", "pound"),
}
# Subjects that are some other asset than a company (a clause about them is not about a company
# or index unless it names it): used to keep "Oil jumps" out of an index's fallback.
_OTHER_ASSETS = (
    "oil",
    "crude",
    "brent",
    "wti",
    "gold",
    "silver",
    "copper",
    "natural gas",
    "dollar",
    "yen",
    "euro",
    "yuan",
    "sterling",
    "pound",
    "yields",
    "yield",
    "treasuries",
    "bonds",
    "bitcoin",
    "crypto",
    "ether",
    "stocks",
    "equities",
    "wall street",
    "futures",
    "vix",
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_QUOTES = "\"'\u2018\u2019"
_BARE_MARKET_WORDS = frozenset({"stocks", "equities", "markets", "stock market", "the market"})
_MARKET_QUALIFIERS = frozenset(
    {"us", "u.s.", "american", "global", "world", "the", "wall", "street's", "street", "and"}
)
_SECTOR_QUALIFIERS = _word_set(
    "asian european chinese china japanese japan indian india emerging emerging-market tech chip"
    " bank banking energy oil airline travel gambling real estate retail defense mining gold"
    " growth value meme penny small-cap large-cap uk british german french korean taiwan taiwanese"
    " israel hong kong australian canadian brazilian mexican these those some other top best"
    " rate-sensitive"
)
_MODIFIED_NOUNS = _word_set(
    "firm firms company companies driller drillers major majors producer producers titan giant"
    " executive executives minister ministers country countries deal deals stocks shares sector"
    " revenue revenues tanker tankers field fields workers industry smuggling money miner miners"
    " mine mines group groups fund funds etf etfs trader traders bet bets"
)
_STOCK_WORDS = ("shares", "share", "stock", "stocks", "the stock", "its stock")
_SHORT_NAME_STOP = frozenset(
    [
        "the",
        "american",
        "general",
        "first",
        "united",
        "national",
        "new",
        "global",
        "international",
        "bank",
        "group",
    ]
)
_CORPORATE = re.compile(
    r",?\s+(?:inc|corp|corporation|co|company|ltd|plc|llc|holdings|group|platforms|"
    r"technologies|incorporated|limited|sa|ag|nv|se)\.?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Target:
    """The instrument a tone is toward: its symbol, the names/aliases that refer to it (matched
    case-sensitively when written with a capital, else ignoring case), and its asset class
    ("Stocks", "Indices", "Commodities", "Crypto", "Forex", "ETFs"...)."""

    symbol: str
    names: tuple[str, ...] = ()
    asset_class: str = "Stocks"
    terms: tuple[str, ...] = field(default=())  # generic words (lower-case), filled by target()

    @property
    def is_company(self) -> bool:
        return self.asset_class.lower() in {"stocks", "stock", "equity", "equities"}


def target(
    symbol: str,
    names: Sequence[str] = (),
    asset_class: str = "Stocks",
    *,
    terms: Sequence[str] = (),
) -> Target:
    """A Target with the generic words of well-known broad-market/macro symbols added and a
    company's short name ("Meta" for "Meta Platforms, Inc.")."""
    all_names: list[str] = []
    for name in names:
        for candidate in (name, _CORPORATE.sub("", name.strip())):
            if candidate and candidate not in all_names:
                all_names.append(candidate)
        first = name.split()[0] if name.split() else ""
        if (
            len(name.split()) > 1
            and len(first) >= 3
            and first[0].isupper()
            and first.lower() not in _SHORT_NAME_STOP
            and first not in all_names
        ):
            all_names.append(first.rstrip(",."))
    generic = [*terms, *_GENERIC_TERMS.get(symbol.upper(), ())]
    return Target(
        symbol=symbol,
        names=tuple(all_names),
        asset_class=asset_class,
        terms=tuple(dict.fromkeys(t.lower() for t in generic)),
    )


# ---------------------------------------------------------------- cue lexicon (stems)


def _stem_keys(table: dict[str, float]) -> dict[str, float]:
    """The table keyed by ``stem`` of each word (so "rises", "rose", "rising" find "rise")."""
    return {stem(k) if k.isalpha() else k: v for k, v in table.items()}


_UP = _stem_keys({
    "rise": 0.6, "jump": 0.8, "surge": 1.0, "soar": 1.0, "rally": 0.8, "gain": 0.6,
    "climb": 0.6, "advance": 0.5, "rebound": 0.6, "recover": 0.5, "spike": 0.8, "leap": 0.8,
    "rocket": 1.0, "skyrocket": 1.0, "pop": 0.7, "edge": 0.4, "tick": 0.3,
    "higher": 0.5, "up": 0.4, "boom": 0.8, "zoom": 0.8, "spring": 0.6,
    "outperform": 0.5, "bounce": 0.6, "top": 0.4, "strengthen": 0.5, "add": 0.4, "notch": 0.4, "surpass": 0.5,
})  # fmt: skip
_DOWN = _stem_keys({
    "fall": 0.6, "drop": 0.6, "slide": 0.6, "sink": 0.8, "tumble": 0.8, "plunge": 1.0,
    "plung": 1.0, "slump": 0.8, "decline": 0.5, "dip": 0.4, "retreat": 0.5, "shed": 0.5,
    "lose": 0.5, "sag": 0.5, "crash": 1.0, "plummet": 1.0, "skid": 0.6, "slip": 0.4,
    "tank": 1.0, "crater": 1.0, "lower": 0.5, "down": 0.4, "weaken": 0.5,
    "selloff": 0.8, "sell-off": 0.8, "rout": 0.9, "ease": 0.3,
    "wobble": 0.4, "stumble": 0.6, "falter": 0.6, "underperform": 0.5, "nosedive": 1.0,
    "collapse": 1.0, "dive": 0.8, "erase": 0.5, "pare": 0.3, "trim": 0.3,
})  # fmt: skip
# Metrics and which way is good for the company: "profit rises" +, "loss widens" -.
_METRICS = _stem_keys({
    "profit": 1, "earning": 1, "earnings": 1, "revenue": 1, "sale": 1, "income": 1, "eps": 1,
    "margin": 1, "guidance": 1, "outlook": 1, "forecast": 1, "dividend": 1, "order": 1,
    "deliverie": 1, "delivery": 1, "shipment": 1, "growth": 1, "payout": 1, "buyback": 1,
    "subscriber": 1, "user": 1, "bookings": 1, "booking": 1, "demand": 1, "market share": 1,
    "rating": 1, "target": 1, "price target": 1, "estimate": 1, "view": 1, "volume": 1,
    "loss": -1, "deficit": -1, "cost": -1, "expense": -1, "writedown": -1, "charge": -1,
    "debt": -1, "inventory": -1, "churn": -1, "impairment": -1,
})  # fmt: skip
_METRIC_UP = _stem_keys({
    "raise": 1.0, "lift": 1.0, "boost": 1.0, "hike": 1.0, "increase": 1.0, "widen": 1.0,
    "double": 1.0, "expand": 0.8, "grow": 0.8, "improve": 0.8, "beat": 1.0, "top": 1.0,
    "exceed": 1.0, "reaffirm": 0.5, "upgrade": 1.0, "strong": 0.8, "stronger": 0.8,
    "better": 0.8, "record": 0.8, "higher": 0.6, "up": 0.6,
})  # fmt: skip
_METRIC_DOWN = _stem_keys({
    "cut": 1.0, "slash": 1.0, "reduce": 1.0, "narrow": 1.0, "halve": 1.0, "shrink": 0.8,
    "miss": 1.0, "trim": 0.8, "withdraw": 1.0, "suspend": 1.0, "scrap": 1.0, "weak": 0.8,
    "weaker": 0.8, "worse": 0.8, "disappoint": 0.8, "downgrade": 1.0, "lower": 0.8,
    "down": 0.6, "contract": 0.6,
})  # fmt: skip
_EVENTS_POS = _stem_keys({
    "upgrade": 0.7, "beat": 0.6, "approval": 0.5, "approve": 0.5, "win": 0.5, "buyback": 0.5,
    "outperform": 0.5, "bullish": 0.6, "breakthrough": 0.5, "record high": 0.7,
    "all-time high": 0.7, "best": 0.4, "strong": 0.4, "upbeat": 0.6, "tops estimate": 0.7,
})  # fmt: skip
_EVENTS_NEG = _stem_keys({
    "downgrade": 0.7, "miss": 0.6, "layoff": 0.6, "lay off": 0.6, "laid off": 0.6,
    "job cut": 0.6, "job loss": 0.5, "fire": 0.4,
    "probe": 0.5, "investigation": 0.5, "lawsuit": 0.5, "sue": 0.5, "recall": 0.5,
    "bankruptcy": 0.9, "bankrupt": 0.9, "default": 0.7, "fraud": 0.8, "fine": 0.4,
    "warning": 0.5, "warn": 0.5, "halt": 0.5, "delay": 0.4, "strike": 0.4, "bearish": 0.6,
    "fall short": 0.6, "record low": 0.7, "worst": 0.5, "weak": 0.4, "downbeat": 0.6,
    "profit warning": 0.8, "restructuring": 0.4, "short seller": 0.5, "hack": 0.5,
    "outage": 0.4, "antitrust": 0.4, "penalty": 0.4, "shutdown": 0.5, "close store": 0.5,
})  # fmt: skip
_TURNS = (
    (re.compile(r"\b(?:swing|swung|swings|return|returns|returned|turn|turns|turned|"
                r"back)\s+(?:to|in|into)\s+(?:a\s+|the\s+)?(?:profit|black|profitability)\b"), 0.8),
    (re.compile(r"\bturn(?:s|ed)?\s+profitable\b"), 0.8),
    (re.compile(r"\b(?:swing|swung|swings|turn|turns|turned|slip|slips|slipped|plunge|plunges|"
                r"plunged|sink|sinks|sank|fall|falls|fell)\s+(?:to|into)\s+(?:a\s+)?"
                r"(?:\w+\s+)?(?:loss|red|deficit)\b"), -0.8),
    (re.compile(r"\b(?:narrower|smaller)\s+(?:\w+\s+)?loss\b"), 0.6),
    (re.compile(r"\b(?:wider|bigger|larger|deeper)\s+(?:\w+\s+)?loss\b"), -0.6),
)  # fmt: skip
_FROM_TO = re.compile(
    r"\bfrom\s+[$€£]?\s*(-?\d[\d,]*(?:\.\d+)?)\s*(?:%|bn|billion|million|m|cents?)?\s+"
    r"to\s+[$€£]?\s*(-?\d[\d,]*(?:\.\d+)?)"
)
_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "cannot",
        "can't",
        "won't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "fail",
        "fails",
        "failed",
        "without",
    ]
)
_CLAUSE_SPLIT = re.compile(
    # a full stop ends a clause, not the abbreviation of a company's name ("Chevron Corp. stock
    # falls Thursday" is one clause about Chevron)
    r"\s*(?:[,;:|]|\s[-\u2013\u2014]\s|\u2014"
    r"|(?<!Corp)(?<!Inc)(?<!Co)(?<!Cos)(?<!Ltd)(?<!Cl)(?<!Bros)(?<!Plc)(?<!U\.S)(?<!St)\.\s)\s*"
    r"|\s+(?:as|while|but|after|despite|amid|on|following|even as|though|although|whereas|"
    r"ahead of|before|and then|with)\s+",
    re.IGNORECASE,
)
_JOB_CUTS = re.compile(
    r"\b(?:cuts?|cutting|slash(?:es|ed|ing)?|eliminat\w*|axe[sd]?|shed(?:s|ding)?|trims?)\b"
    r"[^,;]{0,30}?\b(?:jobs|staff|workforce|workers|employees|positions|roles|headcount)\b"
)
_AMBIGUOUS_EVENTS = frozenset({stem("beat"), stem("miss"), stem("top")})
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[a-z0-9$&][a-z0-9$&'.\-]*[a-z0-9]|[a-z0-9]|\+?-?\d+(?:\.\d+)?%")


@dataclass(frozen=True, slots=True)
class Verdict:
    score: float  # signed, unbounded sum of cue weights
    kind: str  # PRICE | DOMAIN | "" (no cue)


def tone_toward(
    title: str,
    summary: str,
    target_: Target,
    *,
    sentence_score: Callable[[str], float] | None = None,
) -> float:
    """Tone of the item toward the target in [-1, 1] (see the module docstring).

    ``sentence_score`` scores a text's whole-sentence sentiment for the fallback (default: the
    shipped sentiment model); pass a memoized one to score many links of one item cheaply.
    """
    title_clauses = _clauses(title)
    about = _target_clauses(title_clauses, title, target_)
    verdicts = [_score_clause(c) for c in about]
    price = sum(v.score for v in verdicts if v.kind == PRICE)
    if price:
        return _squash(price)
    summary_price = _summary_price(summary, title, target_)
    if summary_price:
        return _squash(summary_price)
    domain = sum(v.score for v in verdicts if v.kind == DOMAIN)
    if domain:
        return _squash(domain)
    fallback_text = (
        " ".join(about)
        if about
        else " ".join(c for c in title_clauses if not _mentions_other_asset(c))
    )
    if not fallback_text.strip():
        return 0.0
    score = (sentence_score or _model_score)(fallback_text)
    return round(max(-1.0, min(1.0, score)), 4) + 0.0  # no -0.0


def _model_score(text: str) -> float:
    from tapewire.enrich.sentiment import score_text

    return score_text(text).score


def _squash(total: float) -> float:
    magnitude = min(1.0, CUE_FLOOR + 0.4 * abs(total))
    return round(magnitude if total > 0 else -magnitude, 4)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


@functools.lru_cache(maxsize=4096)
def _term_pattern(term: str, case_sensitive: bool) -> re.Pattern[str]:
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(r"(?<![\w$&])" + re.escape(term) + r"(?:'s|\u2019s|s)?(?![\w&])", flags)


def _mentions(text: str, target_: Target) -> bool:
    """Whether the text names the target (symbol, cashtag, name, alias or generic word)."""
    symbol = target_.symbol.lstrip("^").split("=")[0].split("-")[0]
    if len(symbol) >= 2 and (
        _term_pattern("$" + symbol, False).search(text)
        or (symbol.isalpha() and _term_pattern(symbol, True).search(text))
    ):
        return True
    for name in target_.names:
        if name and _term_pattern(name, any(ch.isupper() for ch in name)).search(text):
            return True
    return any(_generic_hit(text, term) for term in target_.terms)


def _generic_hit(text: str, term: str) -> bool:
    """A generic word that stands for the instrument here, not for something it qualifies or
    that qualifies it: "stocks" but not "Asian stocks" or "chip stocks"; "Wall Street" as the
    market ("Wall Street slides"), not as the analysts ("a rare Wall Street downgrade"); "oil"
    as the commodity, not "oil driller" or "oil revenue"."""
    for match in _term_pattern(term, False).finditer(text):
        before = text[: match.start()].split()
        after = text[match.end() :].split()
        previous = before[-1].lower().strip(_QUOTES) if before else ""
        following = after[0].lower().strip(".,;:!?" + _QUOTES) if after else ""
        if term in _BARE_MARKET_WORDS:
            if (
                previous
                and previous not in _MARKET_QUALIFIERS
                and (previous in _SECTOR_QUALIFIERS or before[-1][:1].isupper())
            ):
                continue
        elif term in {"wall street", "wall st"}:
            if before and not (following and stem(following) in _UP | _DOWN):
                continue
        elif following in _MODIFIED_NOUNS:
            continue
        return True
    return False


def _mentions_other_asset(text: str) -> bool:
    return any(_term_pattern(term, False).search(text) for term in _OTHER_ASSETS)


def _names_other_subject(clause: str) -> bool:
    """Whether a clause names some subject other than the target: another asset, or a capitalised
    word that is not its first word (a rough proper-noun test)."""
    if _mentions_other_asset(clause.replace("stocks", "").replace("Stocks", "")):
        return True
    words = clause.split()
    return any(w[:1].isupper() and w.lower().strip(".,") not in _NOT_SUBJECTS for w in words[1:])


# capitalised words that are no subject of their own ("stock falls Thursday", "shares rise in
# November", "Cl A shares")
_NOT_SUBJECTS = frozenset(
    {"shares", "stock", "cl", "a", "b", "c"}
    | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
    | {"january", "february", "march", "april", "may", "june", "july", "august", "september"}
    | {"october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug"}
    | {"sep", "sept", "oct", "nov", "dec"}
)


def _target_clauses(clauses: list[str], title: str, target_: Target) -> list[str]:
    named = [c for c in clauses if _mentions(c, target_)]
    if target_.is_company and (named or _mentions(title, target_)):
        for clause in clauses:
            if clause in named:
                continue
            lower = clause.lower()
            if any(_term_pattern(w, False).search(lower) for w in _STOCK_WORDS) and not (
                _names_other_subject(clause)
            ):
                named.append(clause)
    return named


def _summary_price(summary: str, title: str, target_: Target) -> float:
    """Sum of price moves of the target in the summary's sentences about it."""
    if not summary:
        return 0.0
    total = 0.0
    company_in_item = _mentions(title, target_) or _mentions(summary, target_)
    for sentence in _SENTENCE_SPLIT.split(summary)[:6]:
        clauses = _clauses(sentence)
        about = [c for c in clauses if _mentions(c, target_)]
        if target_.is_company and company_in_item:
            about += [
                c
                for c in clauses
                if c not in about
                and any(_term_pattern(w, False).search(c) for w in _STOCK_WORDS)
                and not _mentions_other_asset(c.replace("stocks", ""))
            ]
        total += sum(v.score for v in map(_score_clause, about) if v.kind == PRICE)
    return total


def _tokens(clause: str) -> list[str]:
    return _TOKEN.findall(clause.lower().replace("\u2019", "'"))


def _negated(stems: list[str], i: int) -> bool:
    return any(s in _NEGATORS for s in stems[max(0, i - 2) : i])


@dataclass(frozen=True, slots=True)
class _Words:
    words: list[str]
    stems: list[str]
    lower: str


def _score_clause(clause: str) -> Verdict:
    """The clause's direction from cues: price moves first, then domain cues."""
    words = _tokens(clause)
    w = _Words(words, [stem(x) if x.isalpha() else x for x in words], " ".join(words))
    used: set[int] = set()
    domain = _metric_cues(w, used) + _change_cues(w, used) + _event_cues(w)
    job_cuts = _JOB_CUTS.search(w.lower) is not None
    if job_cuts:  # "cuts 10% of staff", "to slash 600 jobs"
        domain -= 0.6
    price = _price_cues(w, used, job_cuts=job_cuts)
    if price:
        return Verdict(price, PRICE)
    return Verdict(domain, DOMAIN if domain else "")


def _metric_cues(w: _Words, used: set[int]) -> float:
    """Metric x direction within three words (either order): "profit rises", "cuts dividend"."""
    total = 0.0
    stems = w.stems
    for m, root in enumerate(stems):
        polarity = _METRICS.get(root, _METRICS.get(w.words[m], 0))
        if not polarity:
            continue
        for j in range(max(0, m - 3), min(len(stems), m + 4)):
            s = stems[j]
            if j == m or j in used or (s in {"up", "higher"} and j < m):
                continue  # "higher costs": the direction word must follow or be a verb
            up = _UP.get(s, 0.0) or _METRIC_UP.get(s, 0.0)
            down = _DOWN.get(s, 0.0) or _METRIC_DOWN.get(s, 0.0)
            if up or down:
                sign = (1 if up else -1) * polarity * (-1 if _negated(stems, j) else 1)
                total += sign * max(up, down)
                used.update({j, m})
                break
    return total


def _change_cues(w: _Words, used: set[int]) -> float:
    """ "from X to Y" (signed by the nearest metric before it) and loss<->profit turns."""
    total = 0.0
    movers = {i for i, s in enumerate(w.stems) if s in _UP or s in _DOWN}
    for match in _FROM_TO.finditer(w.lower):
        a, b = (float(g.replace(",", "")) for g in match.groups())
        if a != b:
            before = w.lower[: match.start()].split()
            polarity = next(
                (_METRICS[stem(x)] for x in reversed(before[-6:]) if stem(x) in _METRICS), 1
            )
            total += (1 if b > a else -1) * polarity * 0.8
            used.update(movers)
    for pattern, weight in _TURNS:
        if pattern.search(w.lower):
            total += weight
            used.update(movers)
    return total


def _event_cues(w: _Words) -> float:
    """Company events: upgrades/downgrades, layoffs, probes, recalls, approvals, records."""
    total = 0.0
    grams = {" ".join(w.stems[i : i + n]) for n in (2, 3) for i in range(len(w.stems) - n + 1)}
    for table, sign in ((_EVENTS_POS, 1), (_EVENTS_NEG, -1)):
        for cue, weight in table.items():
            if " " in cue:
                hit = " ".join(stem(p) for p in cue.split()) in grams or cue in w.lower
            else:  # a bare "beat"/"miss"/"top" is ambiguous: read as metric x direction only
                hit = (cue in w.stems or cue in w.words) and cue not in _AMBIGUOUS_EVENTS
            if hit:
                total += sign * weight
    return total


def _price_cues(w: _Words, used: set[int], *, job_cuts: bool) -> float:
    """Movement verbs not already read as a metric's direction or a job cut."""
    total = 0.0
    stems = w.stems
    for i, s in enumerate(stems):
        if i in used or s == "cut" or (job_cuts and s in {"shed", "trim", "slash"}):
            continue
        if s == "top" and i + 1 < len(stems) and stems[i + 1] in _METRICS:
            continue
        up, down = _UP.get(s, 0.0), _DOWN.get(s, 0.0)
        if up or down:
            total += (up - down) * (-1 if _negated(stems, i) else 1)
    return total
