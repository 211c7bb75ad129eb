"""Themes in the store: the enrich stage writes item_theme, and theme links reach only the
instruments the store has, after named links and weaker than them (SQLite and Postgres)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from tapewire.context import RunContext
from tapewire.enrich import queries as enrich_queries
from tapewire.enrich import stage as enrich_stage
from tapewire.enrich.models import ItemTheme
from tapewire.ingest import queries as ingest_queries
from tapewire.ingest.queries import NewsItemView
from tapewire.ingest.stage import add_feed, ingest_feed
from tapewire.market import queries as market_queries
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.store import Store

AS_OF = datetime(2023, 12, 1, 20, 0, tzinfo=UTC)
ITEMS = [
    ("oil", "Oil jumps as OPEC+ extends output cuts", "Brent crude rose 2%.", "08:00"),
    ("macro", "Wall Street slides after hot inflation report", "", "09:00"),
    ("exxon", "Exxon Mobil raises its dividend", "The oil major lifted its payout.", "10:00"),
    ("art", "A Monet oil painting fetches $50 million", "The auction set a record.", "11:00"),
    ("old", "Oil slumps on demand worries", "", "2023-11-20T08:00"),
]


def rss(tmp_path: Path) -> Path:
    entries = "".join(
        f"<item><title>{title}</title><link>https://news.example.com/{key}</link>"
        f"<description>{summary}</description><pubDate>"
        + (
            datetime.fromisoformat(when + ":00+00:00")
            if "T" in when
            else datetime.fromisoformat(f"2023-12-01T{when}:00+00:00")
        ).strftime("%a, %d %b %Y %H:%M:%S +0000")
        + "</pubDate></item>"
        for key, title, summary, when in ITEMS
    )
    path = tmp_path / "feed.xml"
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example</title>{entries}'
        "</channel></rss>",
        encoding="utf-8",
    )
    return path


def test_enrich_stores_themes_and_theme_links_follow_the_map(
    store: Store, make_ctx: Callable[..., RunContext], tmp_path: Path
) -> None:
    ctx = make_ctx(store, AS_OF)
    with store.write() as s:
        for spec in (
            InstrumentSpec("^GSPC", "S&P 500", "Indices"),
            InstrumentSpec("XLE", "Energy Select Sector SPDR", "ETFs"),
            InstrumentSpec("XOM", "Exxon Mobil", "Stocks", "USD", "^GSPC", ("Exxon Mobil",)),
            InstrumentSpec("AAPL", "Apple", "Stocks", "USD", "^GSPC", ("Apple",)),
        ):
            save_instrument(s, spec)
        feed_id, _ = add_feed(s, str(rss(tmp_path)), now=AS_OF)
    assert ingest_feed(ctx, feed_id, str(tmp_path / "feed.xml")).error is None
    report = enrich_stage.run(ctx)
    assert report.counts["themes"] >= 4
    with store.read() as s:
        rows = s.execute(select(ItemTheme.news_item_id, ItemTheme.theme, ItemTheme.evidence)).all()
    by_title = {i.id: i.title for i in _items(store)}
    stored = {(by_title[i], t): e for i, t, e in rows}
    assert "OPEC+" in stored[("Oil jumps as OPEC+ extends output cuts", "oil")]
    assert ("Wall Street slides after hot inflation report", "inflation") in stored
    assert ("Wall Street slides after hot inflation report", "markets") in stored
    assert not any(title.startswith("A Monet") for title, _ in stored)  # not oil

    enrich_stage.run(ctx)  # idempotent: the window's themes are replaced, not doubled
    with store.read() as s:
        assert len(s.execute(select(ItemTheme.id)).all()) == len(rows)

    ids = {i.symbol: i.id for i in market_queries.instruments(store)}
    since = datetime(2023, 11, 30, tzinfo=UTC)
    crude = enrich_queries.instrument_news(store, ids["XLE"], since=since, until=AS_OF)
    assert [(i.title, i.link_kind, i.themes) for i in crude] == [
        ("Exxon Mobil raises its dividend", "theme", ("oil",)),
        ("Oil jumps as OPEC+ extends output cuts", "theme", ("oil",)),
    ]
    assert all(0 < i.relevance <= enrich_queries.THEME_LINK_WEIGHT for i in crude)

    exxon = enrich_queries.instrument_news(store, ids["XOM"], since=since, until=AS_OF)
    assert exxon[0].title == "Exxon Mobil raises its dividend" and exxon[0].link_kind == "name"
    assert [i.title for i in exxon[1:]] == ["Oil jumps as OPEC+ extends output cuts"]
    assert exxon[1].link_kind == "theme" and exxon[1].relevance < exxon[0].relevance

    market = enrich_queries.instrument_news(store, ids["^GSPC"], since=since, until=AS_OF)
    macro = [i for i in market if i.title.startswith("Wall Street slides")]
    assert macro and (macro[0].link_kind == "name" or "inflation" in macro[0].themes)
    assert enrich_queries.theme_linked_items(store, ids["AAPL"], since=since, until=AS_OF) == []

    # as_of discipline: nothing at or after ``until`` is read
    early = enrich_queries.instrument_news(
        store, ids["XLE"], since=since, until=datetime(2023, 12, 1, 9, 0, tzinfo=UTC)
    )
    assert [i.title for i in early] == ["Oil jumps as OPEC+ extends output cuts"]

    item_ids = [i.item_id for i in crude]
    themes = enrich_queries.item_themes(store, item_ids)
    assert all("oil" in themes[i] for i in item_ids)
    story_ids = [i.story_id for i in crude if i.story_id is not None]
    assert story_ids
    story_themes = enrich_queries.story_themes(store, story_ids)
    assert all(story_themes[sid][0] == "oil" for sid in story_ids)


def _items(store: Store) -> list[NewsItemView]:
    return ingest_queries.news_items(store, until=AS_OF)
