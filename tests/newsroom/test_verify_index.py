"""The verifier's number index (issue #16) finds, for every written value, the fact the linear
scan over the whole sheet found: the first in sheet order, among the facts a claim may match."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.demo.run import run_demo
from tapewire.newsroom import queries
from tapewire.newsroom.verify import _displays, _fact_numbers, _find_number, _Numbers
from tapewire.store import open_store
from tests.conftest import DEMO_AS_OF


def _linear(
    value: float,
    decimals: int,
    numbers: list[tuple[str, float]],
    keep: Callable[[str, float], bool] | None = None,
) -> str | None:
    """The scan the index replaced: every fact, in sheet order."""
    written = Decimal(f"{value:.{decimals}f}")
    for path, fact in numbers:
        if (keep is None or keep(path, fact)) and _displays(abs(fact), decimals, written):
            return path
    return None


@pytest.fixture
def sheets(settings: Settings) -> list[dict[str, Any]]:
    run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(settings.database_url())
    try:
        out = []
        for slug in ("acme-2026-11-20", "dmkt-2026-11-20"):
            view = queries.get_brief(store, slug)
            if view is not None:
                out.append(view.facts)
    finally:
        store.close()
    assert out
    return out


def test_the_index_finds_what_the_scan_found(sheets: list[dict[str, Any]]) -> None:
    keeps: list[Callable[[str, float], bool] | None] = [
        None,
        lambda p, _v: p.endswith("_pct"),
        lambda p, v: p.endswith("_pct") and v >= 0,
        lambda p, v: p.endswith("_pct") and v <= 0,
        lambda p, _v: p.startswith("facts.levels["),
    ]
    checked = found = 0
    for facts in sheets:
        items = _fact_numbers(facts)
        assert len(items) > 200  # a real sheet: its levels, chart closes, components
        index = _Numbers(items)
        values = {round(abs(v), d) for _, v in items for d in (0, 1, 2) if abs(v) < 1e12}
        values |= {v + 0.5 for v in list(values)[:300]} | {0.0, 0.5, 1.0, 100.0}
        for value in sorted(values):
            for decimals in (0, 1, 2, 3):
                for keep in keeps:
                    expected = _linear(value, decimals, items, keep)
                    assert _find_number(value, decimals, index, keep) == expected, (value, decimals)
                    checked += 1
                    found += expected is not None
    assert found > 1000 and checked - found > 1000  # both outcomes are compared


TYPED_EXAMPLES = (
    "Support at 101.5",
    "support zone 99",
    "Resistance near 120",
    "resistance 3",
    "RSI 14 is 55.2",
    "RSI 70",
    "Pulse 63/100",
    "Threat Level of 3",
    "closed at 1,234.5",
    "ATR 14 is 2.1",
    "ATR 3",
    "50-day average of (101.2",
    "200-day 99",
    "200-day average is 98",
    "12.5% below its 52-week high",
    "or 2.1% of price",
    "percentile of 85",
    "252-session high",
    "129-session intraday low",
    "30 sessions on record",
    "1 session on record",
)


def test_every_typed_label_has_the_literal_its_scan_needs() -> None:
    """``_check_typed`` skips a pattern whose literal is not in the text (issue #16): every
    match of every pattern holds one of its literals, and every pattern is exercised."""
    from tapewire.newsroom.verify import _TYPED, _TYPED_NEEDS

    assert len(_TYPED_NEEDS) == len(_TYPED)
    used = set()
    for text in TYPED_EXAMPLES:
        matched = False
        for k, ((pattern, _), needs) in enumerate(zip(_TYPED, _TYPED_NEEDS, strict=True)):
            for match in pattern.finditer(f"It {text} today."):
                matched = True
                used.add(k)
                assert any(n in match.group(0) for n in needs), (text, needs)
        assert matched, text
    assert used == set(range(len(_TYPED)))


CITATION_EXAMPLES = (
    "from Acme Wire on Nov 19",
    "According to The Daily Ledger",
    "according to Market Desk",
    "per Acme Wire",
    "Per The Ledger",
    "Acme Wire reported",
    "Acme Wire reports",
    "The Ledger said",
    "The Ledger says",
    "Market Desk wrote",
    "Market Desk writes",
    "Market Desk noted",
)


def test_every_citation_pattern_has_the_literal_its_scan_needs() -> None:
    """``_outlet_mentions`` skips a citation pattern whose literal is not in the text, and the
    known outlets when none is named (issue #16): every match holds one of its literals."""
    from tapewire.newsroom.verify import _CITATION_NEEDS, _CITATIONS, _outlet_mentions

    used = set()
    for text in CITATION_EXAMPLES:
        sentence = f"Shares rose, {text} this week."
        for k, (pattern, needs) in enumerate(zip(_CITATIONS, _CITATION_NEEDS, strict=True)):
            for match in pattern.finditer(sentence):
                used.add(k)
                assert any(n in match.group(0) for n in needs), (text, needs)
        assert _outlet_mentions(sentence), text
    assert used == set(range(len(_CITATIONS)))
    # a cited name first, then the known outlets named anywhere (the order before #16)
    assert _outlet_mentions("Shares rose, Reuters and Barron's noted nothing new.") == [
        "Barron's",
        "Reuters",
    ]
    assert _outlet_mentions("Shares rose on the day.") == []
