"""tapewire's own finance lexicon and phrase rules for headline sentiment (pure).

Written for this project from general knowledge of how financial news words a move, a result
or an analyst action; it is not derived from the Loughran-McDonald lists (their terms forbid
commercial use) nor fitted to the FiQA or SemEval sets (research-only, evaluation only).

Words are matched on stems (``stem``: a light suffix stripper plus irregular past tenses), so
"plunges", "plunged" and "plunging" are one entry. A negator ("not", "no", "never", "fails to"…)
within the two words before a term flips it. Phrase rules catch what single words get wrong:
"beats estimates" vs "misses estimates", "cuts guidance" vs "raises guidance", "price target
raised/cut", "upgraded/downgraded", "falls short", "record profit" vs "record loss", "up 5%" vs
"down 5%"; each rule is a pair of word sets that must follow each other within a few words, so a
rule costs a dictionary look-up per word, not a regular-expression scan. The model (``sentiment_model``) sees the lexicon and rule hits as features, so how much
they count is learned from the tweet set; ``lexicon_score`` is the lexicon alone, for inspection.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

# ---------------------------------------------------------------- stems

_IRREGULAR = {
    "fell": "fall",
    "fallen": "fall",
    "rose": "rise",
    "risen": "rise",
    "sank": "sink",
    "sunk": "sink",
    "slid": "slide",
    "grew": "grow",
    "grown": "grow",
    "lost": "lose",
    "won": "win",
    "hit": "hit",
    "cut": "cut",
    "cuts": "cut",
    "cutting": "cut",
    "beat": "beat",
    "beaten": "beat",
    "led": "lead",
    "soared": "soar",
    "shed": "shed",
    "sold": "sell",
    "bought": "buy",
    "strove": "strive",
    "shrank": "shrink",
    "shrunk": "shrink",
    "sprang": "spring",
    "swung": "swing",
    "took": "take",
    "news": "news",
    "less": "less",
    "loss": "loss",
    "losses": "loss",
    "gains": "gain",
    "analysis": "analysis",
    "plus": "plus",
    "bonus": "bonus",
    "its": "its",
    "this": "this",
    "has": "has",
    "was": "was",
    "is": "is",
    "us": "us",
    "as": "as",
}
_DOUBLE = re.compile(r"([bdfgkmnprt])\1$")  # slipped -> slip; not "ll": falling -> fall


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer for headline verbs and nouns (lower-case input).

    "rallies/rallied" -> "rally", "plunges/plunged/plunging" -> "plung", "slipped" -> "slip",
    "fell" -> "fall". Over-stemming a rare word costs little: the same function runs at training
    and at prediction time, and the model also sees the unstemmed word.
    """
    if word in _IRREGULAR:
        return _strip_e(_IRREGULAR[word])
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return _strip_e(base[:-1] if _DOUBLE.search(base) else base)
    if word.endswith("ly") and len(word) > 5:
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return _strip_e(word)


def _strip_e(word: str) -> str:
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


# ---------------------------------------------------------------- the lexicon (weights in [0, 1])

_POSITIVE_WORDS = {
    # general news: good for the subject (added 2026-12-07 from general knowledge)
    "secure": 0.5,
    "tout": 0.4,
    "praise": 0.6,
    "detente": 0.6,
    "reopen": 0.6,
    "recommend": 0.6,
    "compelling": 0.6,
    "ceasefire": 0.5,
    "truce": 0.4,
    "flourish": 0.7,
    "settle": 0.3,
    "resolve": 0.4,
    "relief": 0.6,
    "ease": 0.3,
    "cool": 0.3,
    "viable": 0.4,
    "hire": 0.4,
    "hiring": 0.4,
    # price action up
    "rally": 1.0,
    "surge": 1.0,
    "soar": 1.0,
    "skyrocket": 1.0,
    "rocket": 0.8,
    "jump": 0.9,
    "leap": 0.8,
    "spike": 0.6,
    "climb": 0.8,
    "rise": 0.6,
    "gain": 0.7,
    "advance": 0.6,
    "rebound": 0.8,
    "recover": 0.6,
    "recovery": 0.6,
    "bounce": 0.6,
    "rebounds": 0.8,
    "higher": 0.6,
    "high": 0.3,
    "up": 0.3,
    "boom": 0.7,
    "booming": 0.7,
    "outperform": 0.9,
    "outperformance": 0.8,
    # results and outlook
    "beat": 0.9,
    "exceed": 0.8,
    "surpass": 0.8,
    "top": 0.3,
    "strong": 0.7,
    "stronger": 0.7,
    "strength": 0.6,
    "robust": 0.7,
    "solid": 0.5,
    "upbeat": 0.8,
    "optimism": 0.7,
    "optimistic": 0.7,
    "confident": 0.5,
    "confidence": 0.4,
    "bullish": 1.0,
    "upside": 0.6,
    "growth": 0.5,
    "grow": 0.5,
    "expand": 0.5,
    "expansion": 0.4,
    "accelerate": 0.5,
    "improve": 0.6,
    "improvement": 0.6,
    "better": 0.5,
    "best": 0.5,
    "record": 0.4,
    "profit": 0.3,
    "profitable": 0.6,
    "windfall": 0.6,
    "boost": 0.7,
    "lift": 0.6,
    "raise": 0.4,
    "hike": 0.3,
    "buyback": 0.6,
    "dividend": 0.2,
    "resilient": 0.6,
    "positive": 0.5,
    "success": 0.6,
    "successful": 0.6,
    "breakthrough": 0.7,
    "win": 0.6,
    "award": 0.4,
    "approve": 0.5,
    "approval": 0.5,
    "clearance": 0.4,
    "upgrade": 1.0,
    "overweight": 0.6,
    "buy": 0.3,
    "attractive": 0.5,
    "undervalued": 0.5,
    "opportunity": 0.3,
    "momentum": 0.3,
    "strengthen": 0.6,
    "tailwind": 0.6,
    "easing": 0.2,
    "stimulus": 0.3,
    "deal": 0.2,
    "agreement": 0.2,
    "partnership": 0.3,
    "acquire": 0.2,
    "launch": 0.2,
    "innovative": 0.4,
    "favorable": 0.6,
    "favourable": 0.6,
    "benefit": 0.5,
    "thrive": 0.7,
    "outpace": 0.6,
    "milestone": 0.4,
    # added after reading where cross-validation on the tweet training split went wrong
    "breakout": 0.6,
    "pop": 0.5,
    "bull": 0.6,
    "hope": 0.4,
    "above": 0.3,
    "<pct_up>": 0.5,  # "+5%"
}
_NEGATIVE_WORDS = {
    # general news: bad for the subject (added 2026-12-07 from general knowledge)
    "close": 0.3,
    "closure": 0.5,
    "shelve": 0.5,
    "scrutiny": 0.5,
    "exit": 0.3,
    "curb": 0.5,
    "ugly": 0.7,
    "dirty": 0.6,
    "challenge": 0.3,
    "brake": 0.4,
    "kill": 0.9,
    "death": 0.8,
    "dead": 0.8,
    "attack": 0.8,
    "missile": 0.6,
    "war": 0.6,
    "illness": 0.6,
    "virus": 0.4,
    "outbreak": 0.6,
    "backlash": 0.7,
    "blast": 0.5,
    "condemn": 0.7,
    "allegation": 0.6,
    "accuse": 0.6,
    "investigate": 0.5,
    "hack": 0.7,
    "betrayal": 0.8,
    "dispute": 0.5,
    "peril": 0.8,
    "unsustainable": 0.7,
    "contract": 0.3,
    "heckle": 0.6,
    "chaos": 0.7,
    "nervous": 0.6,
    "nervously": 0.6,
    "worries": 0.6,
    "ominous": 0.7,
    "rough": 0.6,
    "tarnish": 0.7,
    # price action down
    "fall": 0.7,
    "drop": 0.7,
    "decline": 0.7,
    "slide": 0.8,
    "slip": 0.6,
    "sink": 0.8,
    "plunge": 1.0,
    "plummet": 1.0,
    "tumble": 1.0,
    "crash": 1.0,
    "collapse": 1.0,
    "slump": 0.9,
    "dive": 0.8,
    "nosedive": 1.0,
    "tank": 0.8,
    "sag": 0.6,
    "dip": 0.5,
    "retreat": 0.6,
    "skid": 0.7,
    "shed": 0.5,
    "slash": 0.7,
    "lower": 0.5,
    "low": 0.3,
    "down": 0.4,
    "selloff": 1.0,
    "sell-off": 1.0,
    "rout": 1.0,
    "turmoil": 0.8,
    "volatile": 0.3,
    "volatility": 0.3,
    "underperform": 0.9,
    "bearish": 1.0,
    "downside": 0.6,
    # results and outlook
    "miss": 0.9,
    "shortfall": 0.8,
    "lose": 0.7,
    "loss": 0.6,
    "weak": 0.8,
    "weaker": 0.8,
    "weakness": 0.8,
    "weaken": 0.7,
    "soft": 0.4,
    "sluggish": 0.7,
    "slow": 0.5,
    "slowdown": 0.7,
    "slowing": 0.6,
    "stall": 0.6,
    "disappoint": 0.9,
    "disappointing": 0.9,
    "downbeat": 0.8,
    "gloomy": 0.8,
    "pessimism": 0.7,
    "pessimistic": 0.7,
    "negative": 0.5,
    "worse": 0.7,
    "worst": 0.7,
    "cut": 0.5,
    "downgrade": 1.0,
    "underweight": 0.6,
    "sell": 0.2,
    "warn": 0.8,
    "warning": 0.7,
    "concern": 0.6,
    "fear": 0.7,
    "worry": 0.7,
    "anxiety": 0.6,
    "uncertainty": 0.5,
    "risk": 0.3,
    "threat": 0.5,
    "threaten": 0.6,
    "pressure": 0.5,
    "headwind": 0.6,
    "struggle": 0.8,
    "hurt": 0.7,
    "hit": 0.5,
    "damage": 0.7,
    "weigh": 0.5,
    "squeeze": 0.5,
    "drag": 0.5,
    "recession": 0.8,
    "downturn": 0.8,
    "contraction": 0.6,
    "shrink": 0.6,
    "crisis": 0.8,
    "default": 0.8,
    "bankrupt": 1.0,
    "bankruptcy": 1.0,
    "insolvency": 1.0,
    "layoff": 0.7,
    "redundancy": 0.6,
    "writedown": 0.8,
    "write-down": 0.8,
    "impairment": 0.7,
    "charge": 0.3,
    "deficit": 0.4,
    "debt": 0.2,
    "outflow": 0.5,
    "fail": 0.8,
    "failure": 0.8,
    "reject": 0.6,
    "block": 0.4,
    "ban": 0.5,
    "halt": 0.6,
    "suspend": 0.6,
    "delay": 0.5,
    "scrap": 0.6,
    "abandon": 0.6,
    "recall": 0.6,
    "probe": 0.6,
    "investigation": 0.6,
    "lawsuit": 0.6,
    "sue": 0.6,
    "fine": 0.4,
    "penalty": 0.6,
    "fraud": 1.0,
    "scandal": 0.9,
    "bribery": 0.9,
    "misconduct": 0.8,
    "resign": 0.4,
    "oust": 0.6,
    "quit": 0.4,
    "strike": 0.4,
    "shortage": 0.6,
    "criticize": 0.6,
    "criticise": 0.6,
    "slam": 0.7,
    "plague": 0.7,
    "woe": 0.8,
    "trouble": 0.7,
    "troubled": 0.7,
    "problem": 0.5,
    "doubt": 0.5,
    "tumult": 0.7,
    "panic": 0.9,
    "inflation": 0.2,
    "tariff": 0.3,
    "sanction": 0.4,
    "dilution": 0.6,
    "overvalued": 0.5,
    "bubble": 0.5,
    "erode": 0.6,
    "erase": 0.5,
    "wipe": 0.5,
    "hammer": 0.8,
    "batter": 0.8,
    "crumble": 0.9,
    "fragile": 0.6,
    "exposed": 0.3,
    "losing": 0.7,
    # added after reading where cross-validation on the tweet training split went wrong
    "dump": 0.6,
    "lowest": 0.6,
    "deepen": 0.4,
    "deeper": 0.4,
    "loom": 0.5,
    "bear": 0.6,
    "<pct_down>": 0.5,  # "-5%"
}
_NEGATORS = frozenset(
    {"not", "no", "never", "without", "cannot", "can't", "won't", "didn't", "doesn't", "don't"}
    | {"isn't", "aren't", "wasn't", "nor", "unable", "fail", "fails", "failed", "failing"}
    | {"lack", "lacks", "lacking"}
)
NEGATION_SPAN = 2  # a negator flips terms up to this many words after it


def _stemmed(table: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for word, weight in table.items():
        key = stem(word)
        out[key] = max(out.get(key, 0.0), weight)
    return out


@functools.cache
def word_weights() -> dict[str, float]:
    """Stem -> signed weight (positive minus negative), built once."""
    pos, neg = _stemmed(_POSITIVE_WORDS), _stemmed(_NEGATIVE_WORDS)
    return {k: pos.get(k, 0.0) - neg.get(k, 0.0) for k in pos.keys() | neg.keys()}


# ---------------------------------------------------------------- phrase rules (on stems)

_ESTIMATES = "estimates expectations forecasts forecast consensus views projections"
_OUTLOOK = (
    "guidance forecast forecasts outlook target targets dividend dividends payout estimates view"
)
_MOVE_UP = (
    "up higher rise rises rose gain gains jump jumps climb climbs surge surges soar soars add adds"
)
_MOVE_DOWN = "down lower fall falls drop drops decline declines slide slides sink sinks lose loses plunge plunges tumble tumbles shed sheds"
_UP_VERBS = "rise rises jump jumps surge surges climb climbs soar soars grow grows double doubles"
_DOWN_VERBS = "fall falls drop drops decline declines slump slumps plunge plunges sink sinks shrink shrinks halve halves"
_RESULTS = "profit profits earnings revenue revenues sales income"
_MARKET = "shares stock stocks equities index futures"
_SELL_RATINGS = "sell underperform underweight neutral hold equal-weight"
# (first words, second words, most words from first to second, polarity): the second must follow
# the first within that many words; a negated first word flips the rule.
_RULES: tuple[tuple[str, str, int, int], ...] = (
    (
        "beat beats top tops topped exceed exceeds surpass surpasses smash crush above",
        _ESTIMATES,
        4,
        +1,
    ),
    ("miss misses missed lag lags trail trails below", _ESTIMATES, 4, -1),
    (
        "raise raises lift lifts boost boosts hike hikes increase increases reaffirm reaffirms",
        _OUTLOOK,
        4,
        +1,
    ),
    (
        "cut cuts lower lowers slash slashes reduce reduces trim trims withdraw withdraws suspend suspends scrap scraps",
        _OUTLOOK,
        4,
        -1,
    ),
    ("target targets", "raised lifted boosted increased hiked upped", 4, +1),
    ("target targets", "cut lowered reduced slashed trimmed", 4, -1),
    ("upgrade upgrades raised lifted", "buy outperform overweight", 3, +1),
    ("downgrade downgrades cut lowered", _SELL_RATINGS, 3, -1),
    ("record", "high highs profit profits earnings revenue sales quarter results close", 2, +1),
    ("record", "low lows loss losses deficit outflows", 2, -1),
    ("all-time year-high week multi-year", "high highs", 2, +1),
    ("all-time year-low week multi-year", "low lows", 2, -1),
    (_MOVE_UP, "<pct>", 2, +1),
    (_MOVE_DOWN, "<pct>", 2, -1),
    (_MARKET, "up higher", 2, +1),
    (_MARKET, "down lower", 2, -1),
    ("fall falls come comes", "short", 1, -1),
    ("profit", "warning warnings", 1, -1),
    ("warn warns", _RESULTS + " outlook growth", 3, -1),
    ("return returns swing swings", "profit growth black", 3, +1),
    ("swing swings slump slumps plunge plunges fall falls sink sinks", "loss", 3, -1),
    (_RESULTS, _UP_VERBS, 3, +1),
    (_RESULTS, _DOWN_VERBS, 3, -1),
    ("job jobs", "cut cuts", 1, -1),
    ("cut cuts slash slashes axe axes", "jobs", 3, -1),
    ("lay lays laid", "off", 1, -1),
    ("the", "red", 1, -1),
    ("the", "black", 1, +1),
    ("file files", "bankruptcy chapter", 2, -1),
)


@functools.cache
def _rule_table() -> dict[str, list[tuple[frozenset[str], int, int]]]:
    """First stem -> [(second stems, span, polarity)]."""
    table: dict[str, list[tuple[frozenset[str], int, int]]] = {}
    for first, second, span, polarity in _RULES:
        seconds = frozenset(stem(w) for w in second.split())
        for word in {stem(w) for w in first.split()}:
            table.setdefault(word, []).append((seconds, span, polarity))
    return table


def rule_hits(stems: Sequence[str], negated: Sequence[bool]) -> tuple[int, int]:
    """How many positive and negative phrase rules fire over the stems (negation flips a rule)."""
    table = _rule_table()
    pos = neg = 0
    for i, word in enumerate(stems):
        for seconds, span, polarity in table.get(word, ()):
            if any(w in seconds for w in stems[i + 1 : i + 1 + span]):
                if (polarity > 0) != negated[i]:
                    pos += 1
                else:
                    neg += 1
    return pos, neg


def term_hits(stems: Sequence[str], negated: Sequence[bool]) -> tuple[float, float]:
    """Summed positive and negative lexicon weight over stems; a negated term counts the other way."""
    weights = word_weights()
    pos = neg = 0.0
    for word, flip in zip(stems, negated, strict=True):
        weight = weights.get(word)
        if not weight:
            continue
        if flip:
            weight = -weight
        if weight > 0:
            pos += weight
        else:
            neg -= weight
    return pos, neg


def mark_negation(words: Sequence[str]) -> list[bool]:
    """True for each (unstemmed) word that a negator within ``NEGATION_SPAN`` words before flips."""
    out: list[bool] = []
    left = 0
    for word in words:
        out.append(left > 0)
        left = NEGATION_SPAN if is_negator(word) else max(0, left - 1)
    return out


def is_negator(word: str) -> bool:
    return word in _NEGATORS or word.endswith("n't")
