"""The CLI's Core reads (``*.reads``, no ORM: issue #16) give what the models' ORM reads give,
on a real store: real price files loaded with ``tapewire prices load``, real feeds added and
ingested, an alert rule and an API key; on SQLite and on PostgreSQL. The ORM reads here are the
queries the commands ran before (kept as the oracle): same rows, same values, same types."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tapewire.alerts import reads as alert_reads
from tapewire.alerts.models import AlertRule, ApiKey
from tapewire.enrich import reads as enrich_reads
from tapewire.enrich.models import TickerCandidate
from tapewire.ingest import reads as ingest_reads
from tapewire.ingest.models import Feed, FeedHealth, NewsItem
from tapewire.market import reads as market_reads
from tapewire.market.models import Bar, Instrument
from tapewire.net.redact import redact_secrets, redact_url
from tapewire.pipeline import reads as pipeline_reads
from tapewire.pipeline.models import JobRun
from tapewire.store import Store, open_store
from tests.conftest import shared_data
from tests.support.cli import tapewire

YAHOO = ("prices", "yahoo_long_to_2026-02")
FEEDS = ("feeds", "feedjira_fixtures")


@pytest.fixture
def real_store(tmp_path: Path, db_url: str) -> Store:
    db = db_url
    for symbol in ("SPY", "GLD"):
        done = tapewire(
            tmp_path,
            "prices",
            "load",
            symbol,
            str(shared_data(*YAHOO, f"{symbol}.csv")),
            "--db",
            db,
        )
        assert done.returncode == 0, done.stderr
    feeds = [str(shared_data(*FEEDS, n)) for n in ("TechCrunch.xml", "HuffPostCanada.xml")]
    for url in [*feeds, "https://user:secret@example.invalid/feed.xml?token=abc"]:
        assert tapewire(tmp_path, "feeds", "add", url, "--db", db).returncode == 0
    assert tapewire(tmp_path, "ingest", feeds[0], "--db", db).returncode == 0
    store = open_store(db)
    now = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)
    with store.write() as s:
        health = s.scalar(select(FeedHealth).where(FeedHealth.feed_id == 2))
        if health is None:
            s.add(health := FeedHealth(feed_id=2, last_fetched_at=now))
        health.consecutive_failures, health.last_error = 2, "HTTP 503 at https://u:pw@x.example/"
        s.add(
            TickerCandidate(
                symbol="NVDA", count=3, first_seen_at=now, last_seen_at=now, example="$NVDA gains"
            )
        )
        s.add(
            TickerCandidate(
                symbol="SPY", count=9, first_seen_at=now, last_seen_at=now, example="$SPY flat"
            )
        )
        s.add(
            JobRun(
                job="ingest",
                as_of=now,
                started_at=now,
                finished_at=now,
                status="ok",
                report={"counts": {"feeds": 1}, "errors": ["x"]},
            )
        )
        s.add(ApiKey(name="ci", prefix="p1", salt="00", hash="h", scopes=["read"], created_at=now))
        s.add(
            AlertRule(
                name="r",
                channel="stream",
                target="",
                created_at=now,
                trigger="move",
                criteria={"scope": "instrument:SPY", "params": {"pct": 3.0}},
                expires_at=now,
            )
        )
    return store


def test_core_reads_equal_the_orm_reads(real_store: Store) -> None:
    store = real_store
    with store.read() as s:
        orm_feeds = s.execute(
            select(Feed, FeedHealth)
            .outerjoin(FeedHealth, FeedHealth.feed_id == Feed.id)
            .order_by(Feed.id)
        ).all()
        by_feed = select(NewsItem.feed_id, NewsItem.outlet).distinct()
        outlets = dict(s.execute(by_feed).all())  # a list of rows: (feed_id, outlet)
        core = ingest_reads.feeds(store)
        assert len(core) == len(orm_feeds) == 3
        for view, (feed, health) in zip(core, orm_feeds, strict=True):
            assert (view.id, view.url, view.title, view.active) == (
                feed.id,
                redact_url(feed.url),
                feed.title,
                feed.active,
            )
            assert type(view.active) is bool
            if health is None:
                assert (view.last_fetched_at, view.items_seen, view.consecutive_failures) == (
                    None,
                    0,
                    0,
                )
            else:
                assert view.last_fetched_at == health.last_fetched_at
                assert view.last_fetched_at is not None and view.last_fetched_at.tzinfo is not None
                assert view.items_seen == health.items_seen
                assert view.consecutive_failures == health.consecutive_failures
                assert view.last_error == (
                    redact_secrets(health.last_error) if health.last_error else None
                )
        assert "secret" not in json.dumps([v.url for v in core])
        assert core[0].items_seen > 0 and core[0].outlets == (outlets[1],)
        assert ingest_reads.failing_feeds(store) == [
            {"url": orm_feeds[1][0].url, "failures": 2, "error": orm_feeds[1][1].last_error}
        ]

        spans = {
            sym: (n, first, last)
            for sym, n, first, last in s.execute(
                select(
                    Instrument.symbol,
                    func.count(Bar.id),
                    func.min(Bar.bar_date),
                    func.max(Bar.bar_date),
                )
                .join(Bar, Bar.instrument_id == Instrument.id)
                .group_by(Instrument.symbol)
            )
        }
    series = market_reads.series_summary(store)
    assert [v.symbol for v in series] == ["GLD", "SPY"]
    for v in series:
        assert (v.bars, v.first, v.last) == spans[v.symbol] and v.bars > 4000
        assert type(v.first) is type(v.last) is type(spans[v.symbol][1])  # dates, not strings
        assert v.simulated is False

    assert [c.symbol for c in enrich_reads.ticker_candidates(store)] == ["NVDA"]  # SPY is stored
    (candidate,) = enrich_reads.ticker_candidates(store, limit=1)
    assert candidate.first_seen_at == datetime(2026, 12, 8, 4, 0, tzinfo=UTC)

    (run,) = pipeline_reads.last_runs(store)
    assert run["counts"] == {"feeds": 1} and run["errors"] == 1
    assert run["as_of"] == datetime(2026, 12, 8, 4, 0, tzinfo=UTC)

    (rule,) = alert_reads.list_rules(store)
    assert (rule.scope, rule.params, rule.active) == ("instrument:SPY", {"pct": 3.0}, True)
    assert rule.expires_at == datetime(2026, 12, 8, 4, 0, tzinfo=UTC)
    (key,) = alert_reads.list_keys(store)
    assert key.scopes == ("read",) and key.allows("read") and not key.allows("admin")
    store.close()


def test_status_never_shows_a_failing_feeds_credentials(store: Store) -> None:
    """`tapewire status` printed a failing feed as https://user:secret@...; `feeds list` hid it."""
    from tapewire.ingest.models import Feed

    now = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)
    with store.write() as s:
        feed = Feed(
            url="https://user:secret@example.invalid/feed.xml?token=abc", active=True, added_at=now
        )
        s.add(feed)
        s.flush()
        s.add(
            FeedHealth(
                feed_id=feed.id, last_fetched_at=now, consecutive_failures=3, last_error="HTTP 401"
            )
        )
    failing = ingest_reads.failing_feeds(store)
    assert len(failing) == 1 and failing[0]["failures"] == 3
    assert "secret" not in failing[0]["url"] and "abc" not in failing[0]["url"]
