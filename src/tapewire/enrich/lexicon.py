"""Word lists for story matching: finance paraphrases, places and everyday words (pure).

Three shipped files under ``enrich/data`` (read once, on first use; nothing is downloaded):
``story_words.tsv`` (phrases and word variants folded to one form: "lowers" = "cuts",
"euro area" = "eurozone"), ``places.tsv`` (countries, regions, capitals and the places they
belong to) and ``common_words.txt`` (words in many finance-news tweets, built by
``scripts/build_common_words.py``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class Lexicon:
    phrases: dict[str, str]  # "euro area" -> "eurozone", replaced before words are split
    words: dict[str, str]  # "lowers" -> "cut", after
    phrase_pattern: re.Pattern[str]
    place_of: dict[str, str]  # "beijing" -> "china"
    within: dict[str, frozenset[str]]  # "germany" -> {"europe", "eurozone", "eu"}
    place_pattern: re.Pattern[str]
    common: frozenset[str]  # lower-cased raw words; callers tokenize them their own way


def _lines(name: str) -> list[list[str]]:
    text = resources.files("tapewire.enrich").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _alternation(keys: list[str]) -> re.Pattern[str]:
    """Longest first, whole words only ("euro area" before "euro"; "u.s." not inside "bu.s.")."""
    body = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])({body})(?![\w])")


@functools.cache
def lexicon() -> Lexicon:
    phrases: dict[str, str] = {}
    words: dict[str, str] = {}
    for kind, canonical, variants in _lines("story_words.tsv"):
        target = phrases if kind == "phrase" else words
        for variant in variants.split(";"):
            target[variant] = canonical
    place_of: dict[str, str] = {}
    within: dict[str, frozenset[str]] = {}
    for place, broader, names in _lines("places.tsv"):
        within[place] = frozenset(broader.split())
        for name in names.split(";"):
            place_of[name] = place
    common = frozenset(row[0] for row in _lines("common_words.txt"))
    return Lexicon(
        phrases=phrases,
        words=words,
        phrase_pattern=_alternation(list(phrases)),
        place_of=place_of,
        within=within,
        place_pattern=_alternation(list(place_of)),
        common=common,
    )


def find_places(title: str) -> frozenset[str]:
    """The places a headline names ("Warm words in Beijing" -> {"china"})."""
    lex = lexicon()
    text = title.lower().replace("\u2019", "'")
    return frozenset(lex.place_of[m] for m in lex.place_pattern.findall(text))


def places_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both name places and none is shared or nested (Germany vs US: yes; Germany vs Europe: no)."""
    if not a or not b:
        return False
    within = lexicon().within
    return not any(x == y or y in within.get(x, ()) or x in within.get(y, ()) for x in a for y in b)
