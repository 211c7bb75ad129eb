"""The outlets migration recomputes stored rows (SQLite, and Postgres when configured): rows
written by revision 0005 (outlet = the feed's title on screen) come out with the outlet readers
know, a language, and named stories; downgrade and upgrade again work."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from tapewire.store import Store
from tapewire.store.core import alembic_config

AT = datetime(2026, 12, 4, 14, tzinfo=UTC)
FEEDS = [
    (
        1,
        "https://news.google.com/rss/search?q=site:reuters.com+markets",
        '"site:reuters.com markets" - Google News',
        None,
    ),
    (
        2,
        "https://www.cnbc.com/id/100727362/device/rss/rss.html",
        "International: Top News And Analysis",
        "https://www.cnbc.com/world/",
    ),
    (
        3,
        "https://rss.nytimes.com/services/xml/rss/nyt/Business.xml",
        "NYT > Business",
        "https://www.nytimes.com/section/business",
    ),
    (4, "https://finance.yahoo.com/rss/headline?s=AAPL", "Yahoo! Finance: AAPL News", None),
]
# id, feed, url, title (as 0005 stored it), publisher_domain, expected outlet, expected language
ITEMS = [
    (
        1,
        1,
        "https://news.google.com/rss/articles/CBMiAAA?oc=5",
        "Oil jumps above $100 as Gulf shipping halts",
        "news.google.com",
        "Reuters",
        None,  # "as" is English and Portuguese: too little to guess
    ),
    (
        2,
        2,
        "https://www.cnbc.com/2026/12/04/stocks.html",
        "Stocks drop as oil surges past $100 on the Gulf conflict",
        "cnbc.com",
        "CNBC",
        "en",
    ),
    (
        3,
        3,
        "https://www.nytimes.com/2026/12/04/business/jobs.html",
        "The jobs report was weak, and the markets took it badly",
        "nytimes.com",
        "The New York Times",
        "en",
    ),
    (
        4,
        4,
        "https://finance.yahoo.com/news/apple-x.html",
        "Apple slips",
        "finance.yahoo.com",
        "unknown outlet",
        None,
    ),
    (
        5,
        4,
        "https://finance.yahoo.com/news/apple-y.html",
        "Apple slips as the iPhone cools - Barron's",
        "finance.yahoo.com",
        "Barron's",
        "en",
    ),
    (
        6,
        None,
        "https://www.bloomberg.com/news/articles/2026-12-04/opep",
        "OPEP+ acuerda más recortes de producción para evitar el superávit",
        "bloomberg.com",
        "Bloomberg",
        "es",
    ),
    (
        7,
        None,
        "https://blog.smallfund.example/q3",
        "Q3 letter",
        "blog.smallfund.example",
        "smallfund.example",
        None,
    ),
]


def _insert_0005_rows(store: Store) -> None:
    with store.engine.begin() as conn:
        for fid, url, title, site in FEEDS:
            conn.execute(
                text(
                    "INSERT INTO feed (id, url, title, site_url, active, added_at) VALUES (:i, :u, :t, :s, :a, :at)"
                ),
                {"i": fid, "u": url, "t": title, "s": site, "a": True, "at": AT},
            )
        for iid, item_feed, url, title, domain, _, _ in ITEMS:
            feed_title = next((f[2] for f in FEEDS if f[0] == item_feed), None)
            conn.execute(
                text(
                    "INSERT INTO news_item (id, feed_id, guid, url, canonical_url, title, summary,"
                    " publisher_domain, publisher_name, published_at, date_from_fetch, fetched_at)"
                    " VALUES (:i, :f, NULL, :u, :u, :t, '', :d, :p, :at, :n, :at)"
                ),
                {
                    "i": iid,
                    "f": item_feed,
                    "u": url,
                    "t": title,
                    "d": domain,
                    "p": feed_title,
                    "at": AT.replace(hour=iid),
                    "n": False,
                },
            )
        conn.execute(
            text(
                "INSERT INTO story (id, key, title, first_seen_at, last_seen_at, item_count, outlet_count)"
                " VALUES (1, 'k1', :t, :a, :b, 3, 3)"
            ),
            {"t": ITEMS[0][3], "a": AT.replace(hour=1), "b": AT.replace(hour=5)},
        )
        conn.execute(
            text(
                "INSERT INTO sentiment (news_item_id, score, label, model)"
                " VALUES (1, -0.5, 'negative', 'm')"
            )
        )
        for iid in (1, 2, 5):
            conn.execute(
                text("INSERT INTO story_item (story_id, news_item_id) VALUES (1, :i)"), {"i": iid}
            )


def _count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_migration_recomputes_outlets_languages_and_story_names(db_url: str) -> None:
    store = Store(db_url)
    try:
        store.upgrade("0005")
        _insert_0005_rows(store)
        store.upgrade("outlets")
        with store.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, outlet, language FROM news_item ORDER BY id")
            ).all()
            story = conn.execute(
                text("SELECT headline_outlet, outlets, outlet_count FROM story")
            ).one()
        assert [(r.id, r.outlet, r.language) for r in rows] == [(i[0], i[5], i[6]) for i in ITEMS]
        outlets = story.outlets if isinstance(story.outlets, list) else json.loads(story.outlets)
        assert _count(store, "story_item") == 3  # no table was rebuilt: nothing cascaded
        assert _count(store, "sentiment") == 1
        assert story.headline_outlet == "Reuters"
        assert outlets == ["Reuters", "CNBC", "Barron's"]
        assert story.outlet_count == 3
        # the feed titles stay where they were: the feed, not the outlet
        with store.engine.connect() as conn:
            names = {r[0] for r in conn.execute(text("SELECT DISTINCT outlet FROM news_item"))}
        assert not names & {f[2] for f in FEEDS}
        command.downgrade(alembic_config(store.url), "0005")
        columns = {c["name"] for c in inspect(store.engine).get_columns("news_item")}
        assert "outlet" not in columns
        assert "language" not in columns
        assert (_count(store, "story_item"), _count(store, "sentiment")) == (3, 1)
        store.upgrade()
        columns = {c["name"] for c in inspect(store.engine).get_columns("news_item")}
        assert {"outlet", "language"} <= columns
    finally:
        store.close()
