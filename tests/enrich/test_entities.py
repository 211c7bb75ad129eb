"""Entity links: cashtags, tickers, company names and theme aliases, title beats summary."""

from __future__ import annotations

import csv

import pytest

from tapewire.enrich.entities import alias_table, compile_aliases, find_links
from tests.conftest import shared_data

INSTRUMENTS = [
    (1, "^RUT", ()),
    (2, "AAPL", ()),
    (3, "^GSPC", ()),
    (4, "A", ()),
    (5, "GC=F", ()),
    (6, "ACME", ("Acme Robotics",)),
    (7, "IWM", ()),
    (8, "DX-Y.NYB", ()),
    (9, "BTC-USD", ()),
]
ALIASES = compile_aliases(INSTRUMENTS)


def linked(title: str, summary: str = "") -> dict[int, float]:
    return {link.instrument_id: link.relevance for link in find_links(title, summary, ALIASES)}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Small caps rally as the Russell 2000 jumps", {1, 7}),
        ("$AAPL slides after Apple misses estimates", {2}),
        ("S&P 500 hits a record; gold slips", {3, 5}),
        ("The dollar firms while bitcoin tumbles", {8, 9}),
        ("Acme Robotics beats estimates", {6}),
        ("A new day for markets", set()),  # "A" (Agilent) is not a bare word match
        ("apple pie prices soar", set()),  # company names are proper nouns
        ("AAPLX fund inflows", set()),  # no match inside a longer token
        ("Goldman raises targets", set()),  # "gold" is not a prefix match
    ],
)
def test_links(title: str, expected: set[int]) -> None:
    assert set(linked(title)) == expected


def test_title_beats_summary_and_mentions_add_up() -> None:
    title_only = linked("Apple rallies")
    summary_only = linked("Tech rallies", "Apple led the gains")
    repeated = linked("Apple rallies", "Apple and Apple suppliers gained")
    assert title_only[2] == 1.0 and summary_only[2] == 0.5
    assert repeated[2] > title_only[2]


def test_alias_table_is_derived_from_the_constituents() -> None:
    table = alias_table()
    assert ("company", "Apple") in table["AAPL"] and ("theme", "small caps") in table["^RUT"]
    path = shared_data("reference", "sp500_constituents.csv")
    with path.open(encoding="utf-8") as handle:
        symbols = {row["Symbol"].replace(".", "-") for row in csv.DictReader(handle)}
    companies = {s for s, rows in table.items() if any(kind == "company" for kind, _ in rows)}
    assert len(companies) >= 495 and companies <= symbols


def test_real_headlines_find_their_companies() -> None:
    path = shared_data("news", "news_sitemap_items_2023-12-01.csv")
    table = alias_table()
    instruments = [(k, symbol, ()) for k, symbol in enumerate(sorted(table))]
    aliases = compile_aliases(instruments)
    symbol_of = {k: s for k, s, _ in instruments}
    found: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found[row["title"]] = {
                symbol_of[link.instrument_id] for link in find_links(row["title"], "", aliases)
            }
    assert "TSLA" in found["Tesla reveals Cybertruck pricing as it begins deliveries"]
    assert "ABBV" in found["Drugmaker AbbVie to buy ImmunoGen in $10.1bn deal"]
    assert "CL=F" in found["Opec+ agrees deal to cut additional 1mn b/d of oil production"]
    linked_share = sum(1 for symbols in found.values() if symbols) / len(found)
    assert 0.1 < linked_share < 0.8  # many, not all: most headlines are not about a listed name
