"""Link news text to instruments by symbol, cashtag and alias (pure). Title beats summary."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TITLE_WEIGHT = 1.0
SUMMARY_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Alias:
    instrument_id: int
    pattern: re.Pattern[str]
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    instrument_id: int
    relevance: float
    matched: str


def compile_aliases(instruments: Iterable[tuple[int, str, Sequence[str]]]) -> list[Alias]:
    """(id, symbol, aliases) -> word-bounded, case-insensitive patterns (symbols case-sensitive)."""
    out: list[Alias] = []
    for inst_id, symbol, aliases in instruments:
        bare = symbol.lstrip("^")
        out.append(
            Alias(inst_id, re.compile(rf"(?<![\w^$])[$^]?{re.escape(bare)}(?![\w-])"), symbol)
        )
        for alias in aliases:
            out.append(Alias(inst_id, re.compile(rf"\b{re.escape(alias)}\b", re.IGNORECASE), alias))
    return out


def find_links(title: str, summary: str, aliases: Sequence[Alias]) -> list[Link]:
    best: dict[int, Link] = {}
    for alias in aliases:
        score = 0.0
        if alias.pattern.search(title):
            score = TITLE_WEIGHT
        elif alias.pattern.search(summary):
            score = SUMMARY_WEIGHT
        if score and score > best.get(alias.instrument_id, Link(0, 0.0, "")).relevance:
            best[alias.instrument_id] = Link(alias.instrument_id, score, alias.text)
    return sorted(best.values(), key=lambda link: link.instrument_id)
