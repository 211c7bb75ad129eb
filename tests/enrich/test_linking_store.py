"""The enrich stage's links in the store (SQLite and Postgres): only links at or above the
threshold, never to an instrument the store lacks, each with its kind, field and evidence;
unknown cashtags/exchange tickers counted once per item as candidates, also on a re-run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from tapewire.context import RunContext
from tapewire.enrich import queries as enrich_queries
from tapewire.enrich import stage as enrich_stage
from tapewire.enrich.entities import STORE_THRESHOLD
from tapewire.enrich.models import EntityLink, TickerCandidate
from tapewire.ingest.models import NewsItem
from tapewire.market.models import Instrument
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.store import Store
from tests.conftest import DEMO_AS_OF

ITEMS = [  # (hours before as_of, title, summary)
    (30, "Apple rallies as Wall Street closes higher", ""),
    (20, "$ZZZQ soars as Apple suppliers gain", "Meta Platforms also rose."),
    (10, "Top 10 stocks to buy now: Apple, Tesla and Meta", ""),
    (5, "$ZZZQ extends gains; (NYSE: QQQX) lists", "Analysts cheer $ZZZQ again."),
]


def seed(store: Store) -> dict[str, int]:
    """Two stored instruments (AAPL, ^GSPC; not META, not TSLA) and four items."""
    with store.write() as s:
        ids = {
            symbol: save_instrument(s, InstrumentSpec(symbol, name, cls))
            for symbol, name, cls in (
                ("AAPL", "Apple Inc.", "Stocks"),
                ("^GSPC", "S&P 500", "Indices"),
            )
        }
        for n, (hours, title, summary) in enumerate(ITEMS):
            at = DEMO_AS_OF - timedelta(hours=hours)
            s.add(
                NewsItem(
                    url=f"https://example.com/{n}",
                    canonical_url=f"https://example.com/{n}",
                    title=title,
                    summary=summary,
                    publisher_domain="example.com",
                    outlet="example.com",
                    published_at=at,
                    fetched_at=at,
                )
            )
    return ids


def test_links_and_candidates_in_the_store(
    store: Store, make_ctx: Callable[[Store], RunContext]
) -> None:
    ids = seed(store)
    report = enrich_stage.run(make_ctx(store))
    enrich_stage.run(make_ctx(store))  # the window is re-read: nothing is counted twice
    with store.read() as s:
        titles = dict(s.execute(select(NewsItem.id, NewsItem.title)).all())
        links = {
            (titles[r.news_item_id], r.instrument_id): r for r in s.scalars(select(EntityLink))
        }
        stored = set(s.scalars(select(Instrument.id)))
        candidates = {r.symbol: r for r in s.scalars(select(TickerCandidate))}
    assert set(links) == {
        (ITEMS[0][1], ids["AAPL"]),
        (ITEMS[0][1], ids["^GSPC"]),
        (ITEMS[1][1], ids["AAPL"]),
    }  # the list item's Apple is below the threshold; Meta/Tesla are not stored
    assert report.counts["links"] == 3
    assert all(r.relevance >= STORE_THRESHOLD and r.instrument_id in stored for r in links.values())
    market = links[(ITEMS[0][1], ids["^GSPC"])]
    assert (market.kind, market.field, market.evidence) == ("market", "title", "Wall Street")
    apple = links[(ITEMS[1][1], ids["AAPL"])]
    assert (apple.kind, apple.field, apple.evidence) == ("name", "title", "Apple")
    assert set(candidates) == {"ZZZQ", "QQQX"}
    zzzq = candidates["ZZZQ"]
    assert zzzq.count == 2  # two items, however many mentions and runs
    assert zzzq.first_seen_at == DEMO_AS_OF - timedelta(hours=20)
    assert zzzq.last_seen_at == DEMO_AS_OF - timedelta(hours=5)
    assert zzzq.example == ITEMS[3][1]
    assert candidates["QQQX"].count == 1

    suggested = enrich_queries.ticker_candidates(store, limit=1)
    assert [c.symbol for c in suggested] == ["ZZZQ"]
    with store.write() as s:  # once the store has the symbol it is no longer suggested
        save_instrument(s, InstrumentSpec("ZZZQ", "Zed", "Stocks"))
    assert [c.symbol for c in enrich_queries.ticker_candidates(store)] == ["QQQX"]
