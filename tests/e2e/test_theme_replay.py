"""Issue #10 part 3 on real data: a replay over the real 2023-12-01 news sitemaps with real bars.

The replay directory links the six real sitemap/RSS files of ``feeds/news_sitemaps_2023-12-01_
mangled`` and real daily bars of 17 instruments (indices, the 10-year yield, crude and gold
futures, sector and market ETFs, large caps) from ``../shared/data/prices``. After ``tapewire
replay`` we read every stored fact sheet: the share of briefs citing at least one item must rise
when theme links count (named links are picked first and always rank above theme links, so the
briefs citing a named source are exactly what would be cited without themes), every theme-linked
source must reach its instrument through the shipped map, and macro items must reach the
broad-market briefs. The test prints the count of briefs citing news, by instrument."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tapewire.enrich.theme_map import MapInstrument, resolve_theme_map
from tapewire.newsroom.facts import MAX_SOURCES
from tests.conftest import shared_data
from tests.support.cli import tapewire

pytestmark = pytest.mark.e2e
PRICES = {
    "^GSPC": "merged_index_series/^GSPC.csv",
    "^DJI": "merged_index_series/^DJI.csv",
    "^IXIC": "merged_index_series/^IXIC.csv",
    "^VIX": "merged_index_series/^VIX.csv",
    "^TNX": "yahoo_long_to_2026-02/^TNX.csv",
    "CL=F": "yahoo_long_to_2026-02/CL=F.csv",
    "GC=F": "yahoo_long_to_2026-02/GC=F.csv",
    "SPY": "yahoo_long_to_2026-02/SPY.csv",
    "XLE": "yahoo_long_to_2026-02/XLE.csv",
    "XLF": "yahoo_long_to_2026-02/XLF.csv",
    "GLD": "yahoo_long_to_2026-02/GLD.csv",
    "TLT": "yahoo_long_to_2026-02/TLT.csv",
    "AAPL": "daily_2015_to_2026-02-27_normalized/AAPL.csv",
    "NVDA": "daily_2015_to_2026-02-27_normalized/NVDA.csv",
    "JPM": "daily_2015_to_2026-02-27_normalized/JPM.csv",
    "XOM": "daily_2015_to_2026-02-27_normalized/XOM.csv",
    "WMT": "daily_2015_to_2026-02-27_normalized/WMT.csv",
}
BROAD = {"^GSPC", "^DJI", "^IXIC", "SPY"}
MACRO = {"rates", "inflation", "jobs", "economy", "markets", "trade"}


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, dict[str, Any]]]:
    tmp = tmp_path_factory.mktemp("themes")
    rec = tmp / "rec"
    (rec / "feeds").mkdir(parents=True)
    (rec / "prices").mkdir()
    for feed in sorted(shared_data("feeds", "news_sitemaps_2023-12-01_mangled").glob("*.xml")):
        (rec / "feeds" / feed.name).symlink_to(feed)
    for symbol, rel in PRICES.items():
        (rec / "prices" / f"{symbol}.csv").symlink_to(shared_data("prices", *rel.split("/")))
    db = tmp / "replay.db"
    result = tapewire(
        tmp, "replay", str(rec), "--from", "2023-11-30", "--to", "2023-12-02", "--db", str(db),
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT b.slug, b.as_of, f.data FROM brief b "
                "JOIN fact_sheet f ON f.id = b.fact_sheet_id ORDER BY b.slug"
            )
        ).all()
        failed = conn.execute(text("SELECT count(*) FROM verification WHERE failed > 0")).scalar()
        themes = conn.execute(text("SELECT count(*) FROM item_theme")).scalar()
    engine.dispose()
    assert failed == 0 and themes
    out = []
    for slug, as_of, data in rows:
        if str(slug).startswith("market-"):
            continue  # the daily market brief: its sources are the day's top stories
        facts = json.loads(data) if isinstance(data, str) else data
        out.append((str(slug), str(as_of), facts))
    return out


def test_theme_links_raise_the_share_of_briefs_citing_news_and_reach_the_broad_market(
    replayed: list[tuple[str, str, dict[str, Any]]],
) -> None:
    briefs = [(facts["instrument"]["symbol"], facts) for _, _, facts in replayed]
    assert len(briefs) >= 2 * len(PRICES) - 3  # two sessions of briefs, a few may be stale
    cites_any: Counter[str] = Counter()
    cites_named: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for symbol, facts in briefs:
        total[symbol] += 1
        cites_any[symbol] += bool(facts["news"])
        cites_named[symbol] += any(src["link_kind"] == "name" for src in facts["news"])
    print("\nbriefs citing news, by instrument (named links only -> with theme links):")
    for symbol in sorted(total):
        print(
            f"  {symbol:<6} {cites_named[symbol]}/{total[symbol]} -> {cites_any[symbol]}/{total[symbol]}"
        )
    share_named = sum(cites_named.values()) / len(briefs)
    share_any = sum(cites_any.values()) / len(briefs)
    print(f"  share: {share_named:.2f} -> {share_any:.2f} of {len(briefs)} briefs")
    assert share_any > share_named
    assert share_any >= 0.5

    # macro items reach every broad-market instrument's brief of 2023-12-01 and 12-02, as theme
    # links where named links leave room among the sources (a full ^GSPC brief may not need them)
    for symbol, facts in briefs:
        if symbol in BROAD and facts["as_of"] >= "2023-12-01":
            macro = [s for s in facts["news"] if set(s["themes"]) & MACRO]
            # named: the instrument by name, or the index a fund or future tracks (SPY: ^GSPC)
            named = [s for s in facts["news"] if s["link_kind"] in ("name", "tracks")]
            assert macro or len(named) == MAX_SOURCES, (symbol, facts["as_of"])
    assert any(set(s["themes"]) & MACRO for sym, f in briefs if sym in BROAD for s in f["news"])


def test_every_theme_linked_source_reaches_its_instrument_through_the_map(
    replayed: list[tuple[str, str, dict[str, Any]]],
) -> None:
    instruments = [
        MapInstrument(i, symbol, _asset_class(symbol)) for i, symbol in enumerate(sorted(PRICES))
    ]
    by_symbol = {m.symbol: m.id for m in instruments}
    resolved = resolve_theme_map(instruments)
    seen = 0
    for _, _, facts in replayed:
        symbol = facts["instrument"]["symbol"]
        ranks = [src["link_kind"] for src in facts["news"]]
        assert ranks == sorted(ranks, key=lambda k: k == "theme")  # named links come first
        for src in facts["news"]:
            if src["link_kind"] != "theme":
                continue
            seen += 1
            assert src["themes"]
            assert any(by_symbol[symbol] in resolved.get(t, ()) for t in src["themes"]), (
                symbol,
                src["title"],
                src["themes"],
            )
    assert seen


def _asset_class(symbol: str) -> str:
    return "Indices" if symbol.startswith("^") else "Stocks"
