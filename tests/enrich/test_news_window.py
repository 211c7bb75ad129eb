"""``NewsWindow`` (every instrument's news read once per run, issue #16) returns what the
per-instrument reads return, item for item, on a real replay: the real 2023-12-01 news sitemaps
and real bars of instruments that named links and theme links both reach. And the signals stage
stores the same rows through it as through the former per-instrument path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tapewire.clock import FixedClock
from tapewire.config import load_settings
from tapewire.context import RunContext
from tapewire.enrich import queries as enrich_queries
from tapewire.market import queries as market_queries
from tapewire.net import HttpClient
from tapewire.signals import stage as signals_stage
from tapewire.signals.models import Signal
from tapewire.store import Store, open_store
from tests.support.real_replay import PRICES, replay_real

AS_OF = datetime(2023, 12, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = replay_real(tmp_path_factory.mktemp("window"), AS_OF.date(), AS_OF.date())
    opened = open_store(f"sqlite:///{db}")
    yield opened
    opened.close()


def _instrument_ids(store: Store) -> list[int]:
    return [i.id for i in market_queries.instruments(store, active_only=False)]


@pytest.mark.parametrize(
    ("until", "hours"),
    [(AS_OF, 24), (AS_OF, 72), (AS_OF, 192), (AS_OF - timedelta(hours=9), 30)],
)
def test_the_window_reads_what_each_instrument_reads(
    store: Store, until: datetime, hours: int
) -> None:
    since = until - timedelta(hours=hours)
    window = enrich_queries.NewsWindow(store, since=since - timedelta(hours=6), until=until)
    kinds: set[str] = set()
    for inst_id in _instrument_ids(store):
        one = enrich_queries.instrument_news(store, inst_id, since=since, until=until)
        assert window.news(inst_id, since=since) == one, inst_id
        named = enrich_queries.linked_items(store, inst_id, since=since, until=until)
        assert window.named(inst_id, since=since) == named, inst_id
        kinds |= {i.link_kind for i in one}
    if hours >= 24:  # real data: both kinds of link are there, so both paths are compared
        assert {"name", "theme"} <= kinds
    if hours >= 72:  # and SPY reads the S&P 500's (the "tracks" path)
        assert kinds == {"name", "theme", "tracks"}
    with pytest.raises(ValueError):  # a window never answers for time it did not read
        window.news(_instrument_ids(store)[0], since=since - timedelta(hours=7))


def _signal_rows(store: Store) -> list[tuple[Any, ...]]:
    with store.read() as s:
        rows = s.scalars(select(Signal).where(Signal.as_of == AS_OF)).all()
        fields = ("instrument_id", "pulse", "direction", "heat", "heat_label", "risk", "threat")
        return sorted((*(getattr(r, f) for f in fields), repr(r.components)) for r in rows)


def test_signals_through_the_window_equal_the_per_instrument_path(
    store: Store, tmp_path: Path
) -> None:
    settings = load_settings(data_dir=tmp_path)
    with HttpClient(settings.http) as http:
        ctx = RunContext(
            store=store, settings=settings, as_of=AS_OF, http=http, clock=FixedClock(AS_OF)
        )
        signals_stage.run(ctx)
        batched = _signal_rows(store)
        signals_stage.run_per_instrument(ctx)
        one_by_one = _signal_rows(store)
    assert len(batched) == len(PRICES)
    assert any(row[3] for row in batched)  # some Heat: news counted
    assert batched == one_by_one


def test_a_fund_reads_the_named_news_of_the_index_it_tracks(store: Store) -> None:
    """SPY follows the S&P 500: "S&P 500's Historic 8.9% Rally Blindsides Skeptics" names the
    index, not the fund, and is news about both. The fund reads the index's named links as kind
    "tracks" (weaker than its own, stronger than a theme link), with the tone toward the index."""
    known = {i.symbol: i for i in market_queries.instruments(store)}
    spy, index = known["SPY"], known["^GSPC"]
    since = AS_OF - timedelta(hours=72)
    news = enrich_queries.instrument_news(store, spy.id, since=since, until=AS_OF)
    index_named = {
        i.item_id: i for i in enrich_queries.linked_items(store, index.id, since=since, until=AS_OF)
    }
    own = {i.item_id for i in news if i.link_kind == "name"}
    tracked = [i for i in news if i.link_kind == "tracks"]
    assert tracked and {i.item_id for i in tracked} == set(index_named) - own
    for item in tracked:
        assert item.via == "the S&P 500"
        assert item.relevance == round(
            enrich_queries.TRACK_LINK_WEIGHT * index_named[item.item_id].relevance, 3
        )
        assert item.tone == index_named[item.item_id].tone
    assert min(i.relevance for i in tracked) > max(
        i.relevance for i in news if i.link_kind == "theme"
    )
    # an index tracks nothing, and a stock is not a tracker of its benchmark
    for symbol in ("^GSPC", "AAPL"):
        kinds = {
            i.link_kind
            for i in enrich_queries.instrument_news(
                store, known[symbol].id, since=since, until=AS_OF
            )
        }
        assert "tracks" not in kinds
