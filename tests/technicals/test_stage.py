"""The technicals stage stores each level's zone and evidence and the read API gives them back,
on SQLite and PostgreSQL, over real ^RUT history; a rerun replaces, never duplicates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select

from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.market import queries as market_queries
from tapewire.store import Store
from tapewire.technicals import queries
from tapewire.technicals import stage as technicals_stage
from tapewire.technicals.compute import compute_snapshot
from tapewire.technicals.models import Level as LevelRow
from tests.conftest import shared_data
from tests.market.test_real_history import load

AS_OF = datetime(2026, 2, 1, tzinfo=UTC)


def test_levels_round_trip_with_zones_touch_dates_and_why(
    store: Store, settings: Settings, make_ctx: Callable[..., RunContext]
) -> None:
    inst_id = load(
        store, settings, "^RUT", shared_data("prices", "yahoo_long_to_2026-02", "^RUT.csv")
    )
    ctx = make_ctx(store, AS_OF)
    for _ in range(2):  # a rerun replaces the snapshot
        report = technicals_stage.run(ctx)
        assert report.counts.get("instruments") == 1, report
    snap = compute_snapshot(
        market_queries.bars(store, inst_id, until=AS_OF, days=technicals_stage.HISTORY_DAYS)
    )
    assert snap is not None
    view = queries.latest(store, inst_id, until=AS_OF)
    assert view is not None and len(view.levels) == len(snap.levels)
    for stored, computed in zip(view.levels, snap.levels, strict=True):
        assert (stored.kind, stored.price, stored.touches) == (
            computed.kind,
            computed.price,
            computed.touches,
        )
        assert (stored.zone_low, stored.zone_high) == (computed.zone_low, computed.zone_high)
        assert stored.last_touch_date == computed.last_touch_date
        assert stored.breaks == computed.breaks
        assert stored.touch_dates == tuple(d.isoformat() for d in computed.touch_dates)
        assert stored.evidence == computed.evidence  # the "why" line pages and briefs read
    assert any(lv.zone_low is not None for lv in view.levels)
    with store.read() as s:
        rows = s.scalar(select(func.count()).select_from(LevelRow))
        row = s.scalars(select(LevelRow).where(LevelRow.kind == "support")).first()
    assert rows == len(snap.levels)
    assert row is not None and set(row.evidence) >= {"why", "touch_dates", "breaks", "score"}
