"""A store with real daily bars (../shared/data) and briefs written from them on a few dates."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime

import pytest

from tapewire.clock import FixedClock
from tapewire.config import Settings, load_settings
from tapewire.context import RunContext
from tapewire.net import HttpClient
from tapewire.newsroom import queries as newsroom_queries
from tapewire.pipeline.jobs import STAGES, run_pipeline
from tapewire.store import Store, open_store
from tests.conftest import shared_data
from tests.scorecard.support import load_universe

# Sessions weeks apart, the last well before the data ends (2026-02-20): later bars are in the
# store, so a chart that leaked them would show them.
BRIEF_DATES = (
    datetime(2025, 11, 4, tzinfo=UTC),
    datetime(2025, 12, 2, tzinfo=UTC),
    datetime(2026, 1, 6, tzinfo=UTC),
)
FIRST_BAR, LAST_BAR = date(2023, 1, 1), date(2026, 2, 20)


def real_briefs(
    store: Store,
    settings: Settings,
    dates: Sequence[datetime] = BRIEF_DATES,
    symbols: Sequence[str] = ("SPY", "^GSPC"),
) -> list[str]:
    """Store real bars FIRST_BAR .. LAST_BAR, run technicals, signals and the newsroom on each
    date; returns the slugs of the briefs written, oldest first."""
    load_universe(store, FIRST_BAR, LAST_BAR, symbols=symbols)
    stages = [st for st in STAGES if st[0] in ("technicals", "signals", "newsroom")]
    with HttpClient(settings.http) as http:
        for as_of in dates:
            ctx = RunContext(
                store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
            )
            run_pipeline(ctx, stages=stages)
    views = newsroom_queries.list_briefs(store, limit=100)
    return [v.slug for v in sorted(views, key=lambda v: (v.as_of, v.slug))]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store, list[str]]]:
    """Settings, a SQLite store holding ``real_briefs`` and their slugs (one per test module)."""
    shared_data("prices", "yahoo_long_to_2026-02", "SPY.csv")  # skips without ../shared/data
    tmp = tmp_path_factory.mktemp("charts")
    settings = load_settings(
        data_dir=tmp, db={"url": str(tmp / "charts.db")}, http={"allow_private_urls": True}
    )
    store = open_store(settings.database_url())
    slugs = real_briefs(store, settings)
    try:
        yield settings, store, slugs
    finally:
        store.close()
