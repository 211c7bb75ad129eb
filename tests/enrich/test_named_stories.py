"""Stories with names, end to end on a real SQLite store: items ingested from a Google News feed
and publisher feeds carry their outlets into entity links, stories (representative headline and
its outlet, outlets, instruments) and the fact sheet a writer quotes (issue #10)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tapewire.context import RunContext
from tapewire.enrich import queries as enrich_queries
from tapewire.enrich import stage as enrich_stage
from tapewire.ingest.parse import parse_feed
from tapewire.ingest.stage import add_feed, normalize_items, save_items
from tapewire.market.models import Instrument
from tapewire.newsroom.facts import _pick_sources, story_headline
from tapewire.store import Store

AS_OF = datetime(2026, 12, 7, 18, tzinfo=UTC)

GOOGLE_NEWS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>"Exxon" - Google News</title><link>https://news.google.com/</link><language>en-US</language>
<item><title>Exxon Mobil shares jump as oil tops $100 - Reuters</title>
<link>https://news.google.com/rss/articles/CBMiR1?oc=5</link>
<pubDate>Mon, 07 Dec 2026 09:00:00 GMT</pubDate>
<source url="https://www.reuters.com">Reuters</source></item>
<item><title>Exxon Mobil shares jump as oil tops $100 - Reuters</title>
<link>https://news.google.com/rss/articles/CBMiR2?oc=5</link>
<pubDate>Mon, 07 Dec 2026 09:05:00 GMT</pubDate>
<source url="https://www.reuters.com">Reuters</source></item>
</channel></rss>"""

CNBC = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>International: Top News And Analysis</title><link>https://www.cnbc.com/</link>
<item><title>Exxon Mobil shares jump as crude tops $100 a barrel</title>
<link>https://www.cnbc.com/2026/12/07/exxon-shares-jump-oil.html</link>
<pubDate>Mon, 07 Dec 2026 10:30:00 GMT</pubDate></item>
<item><title>Fed officials signal patience on rate cuts into next year</title>
<link>https://www.cnbc.com/2026/12/07/fed-patience.html</link>
<pubDate>Mon, 07 Dec 2026 11:00:00 GMT</pubDate></item>
<item><title>Holiday retail sales beat forecasts as shoppers spend online</title>
<link>https://www.cnbc.com/2026/12/07/holiday-sales.html</link>
<pubDate>Mon, 07 Dec 2026 11:30:00 GMT</pubDate></item>
<item><title>Bitcoin slides below $80,000 as crypto funds see outflows</title>
<link>https://www.cnbc.com/2026/12/07/bitcoin-slides.html</link>
<pubDate>Mon, 07 Dec 2026 12:00:00 GMT</pubDate></item>
<item><title>Airline stocks climb after strong Thanksgiving travel numbers</title>
<link>https://www.cnbc.com/2026/12/07/airlines.html</link>
<pubDate>Mon, 07 Dec 2026 12:30:00 GMT</pubDate></item>
</channel></rss>"""


def _ingest(store: Store, url: str, body: bytes) -> None:
    items = normalize_items(parse_feed(body, url=url), fetched_at=AS_OF, base_url=url)
    with store.write() as s:
        feed_id, _ = add_feed(s, url, now=AS_OF - timedelta(days=1))
        save_items(s, items, feed_id=feed_id, fetched_at=AS_OF)


def test_outlets_flow_into_stories_and_the_fact_sheet(
    sqlite_store: Store, make_ctx: Callable[..., RunContext]
) -> None:
    with sqlite_store.write() as s:
        s.add(Instrument(symbol="XOM", name="Exxon Mobil", asset_class="Stocks", aliases=["Exxon"]))
    _ingest(sqlite_store, "https://news.google.com/rss/search?q=Exxon", GOOGLE_NEWS)
    _ingest(sqlite_store, "https://www.cnbc.com/id/100727362/device/rss/rss.html", CNBC)
    enrich_stage.run(make_ctx(sqlite_store, as_of=AS_OF))

    xom = next(i for i in _instruments(sqlite_store) if i["symbol"] == "XOM")
    linked = enrich_queries.linked_items(
        sqlite_store, xom["id"], since=AS_OF - timedelta(days=1), until=AS_OF
    )
    assert sorted(i.outlet for i in linked) == ["CNBC", "Reuters", "Reuters"]
    assert {i.publisher_domain for i in linked} == {"news.google.com", "cnbc.com"}

    (story,) = [
        s for s in enrich_queries.recent_stories(sqlite_store, until=AS_OF) if s.instruments
    ]
    assert story.title == "Exxon Mobil shares jump as oil tops $100"  # earliest, verbatim
    assert story.headline_outlet == "Reuters"
    assert story.outlets == ("Reuters", "CNBC")
    assert story.outlet_count == 2  # two Google News copies of one Reuters item: one outlet
    assert story.instruments == ("XOM",)
    assert enrich_queries.story(sqlite_store, story.id) == story

    headline = story_headline(linked, story.id)
    assert headline is not None
    assert (headline.title, headline.outlet) == (story.title, "Reuters")
    picked = _pick_sources(linked, story.id, headline)
    assert picked[0] == headline  # the quoted headline is among the sources, first
    assert [p.outlet for p in picked] == ["Reuters", "CNBC"]  # each outlet once


def _instruments(store: Store) -> list[dict[str, Any]]:
    from tapewire.market import queries as market_queries

    return [{"id": i.id, "symbol": i.symbol} for i in market_queries.instruments(store)]
