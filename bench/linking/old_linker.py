"""The linker tapewire shipped before issue #10 (frozen copy, the bench's baseline).

Link news text to instruments (pure): cashtags, tickers, company names and index/theme
aliases ("small caps" -> ^RUT, IWM), with a relevance score (a title mention beats a summary
mention; each extra mention adds a little).

Aliases come from the instrument's own list plus ``data/aliases.tsv`` (built by
``scripts/build_aliases.py``: S&P 500 company names and hand-written themes). Company names are
matched case-sensitively (they are proper nouns: "Apple", not "apple"); themes ignore case. A
bare ticker counts only in capitals, with at least three letters, and not when it is also a
common word ("NOW", "ALL"); a cashtag (``$AAPL``) always counts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

TITLE_WEIGHT = 1.0
SUMMARY_WEIGHT = 0.5
EXTRA_MENTION = 0.1  # per further mention, up to +0.3
COMMON_WORDS = frozenset(
    [
        "ALL",
        "ARE",
        "BIG",
        "CAN",
        "FOR",
        "GOOD",
        "HAS",
        "HOT",
        "KEY",
        "LOW",
        "MAN",
        "NOW",
        "ONE",
        "OUT",
        "PAY",
        "RUN",
        "SEE",
        "TWO",
        "USA",
        "WELL",
        "YOU",
        "AMP",
        "CAT",
        "DAY",
        "EAT",
        "FAST",
        "HAS",
        "IT",
        "ON",
        "A",
        "AN",
        "OR",
        "SO",
        "TECH",
        "TRUE",
        "WAT",
        "CEO",
        "CFO",
        "IPO",
        "GDP",
        "CPI",
        "FED",
        "ECB",
        "ETF",
        "USD",
        "EUR",
    ]
)


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


@functools.cache
def alias_table() -> dict[str, tuple[tuple[str, str], ...]]:
    """symbol -> ((kind, alias), ...) from the shipped table (read once, on first use)."""
    text = (Path(__file__).parent / "old_aliases.tsv").read_text(encoding="utf-8")
    table: dict[str, list[tuple[str, str]]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        symbol, kind, alias = line.split("\t")
        table.setdefault(symbol, []).append((kind, alias))
    return {symbol: tuple(rows) for symbol, rows in table.items()}


def _symbol_pattern(symbol: str) -> re.Pattern[str]:
    bare = symbol.lstrip("^")
    escaped = re.escape(bare)
    forms = [rf"\${escaped}(?![\w-])", rf"\^{escaped}(?![\w-])"]  # $AAPL, ^GSPC
    if len(bare) >= 3 and bare not in COMMON_WORDS:
        forms.append(rf"(?<![\w$^-]){escaped}(?![\w-])")  # AAPL, in capitals only
    return re.compile("|".join(forms))


def compile_aliases(instruments: Iterable[tuple[int, str, Sequence[str]]]) -> list[Alias]:
    """(id, symbol, own aliases) -> patterns: the symbol, its own aliases and the table's."""
    out: list[Alias] = []
    table = alias_table()
    for inst_id, symbol, aliases in instruments:
        out.append(Alias(inst_id, _symbol_pattern(symbol), symbol))
        for alias in aliases:
            out.append(
                Alias(
                    inst_id, re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)", re.IGNORECASE), alias
                )
            )
        for kind, alias in table.get(symbol, ()):
            flags = 0 if kind == "company" else re.IGNORECASE
            out.append(
                Alias(inst_id, re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)", flags), alias)
            )
    return out


def find_links(title: str, summary: str, aliases: Sequence[Alias]) -> list[Link]:
    """Every instrument the text names, with its best relevance."""
    best: dict[int, Link] = {}
    for alias in aliases:
        in_title = len(alias.pattern.findall(title))
        in_summary = len(alias.pattern.findall(summary))
        if not in_title and not in_summary:
            continue
        score = TITLE_WEIGHT if in_title else SUMMARY_WEIGHT
        score += min(0.3, EXTRA_MENTION * (in_title + in_summary - 1))
        current = best.get(alias.instrument_id)
        if current is None or score > current.relevance:
            best[alias.instrument_id] = Link(alias.instrument_id, round(score, 2), alias.text)
    return sorted(best.values(), key=lambda link: link.instrument_id)
