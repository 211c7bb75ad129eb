"""Real index history through the store: levels where the market really traded, no look-ahead,
partial bars kept out. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.market import queries
from tapewire.market.models import Bar
from tapewire.market.providers import CsvFileProvider
from tapewire.market.stage import InstrumentSpec, load_bars, save_instrument
from tapewire.net import HttpClient
from tapewire.store import Store
from tapewire.technicals.compute import compute_snapshot
from tapewire.technicals.levels import DEFAULT_PARAMS, Level
from tests.conftest import shared_data

AS_OF = datetime(2026, 2, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 24, tzinfo=UTC)


def load(store: Store, settings: Settings, symbol: str, path: Path) -> int:
    with HttpClient(settings.http) as http:
        ctx = RunContext(
            store=store, settings=settings, as_of=NOW, http=http, clock=FixedClock(NOW)
        )
        with store.write() as s:
            inst_id = save_instrument(
                s,
                InstrumentSpec(
                    symbol=symbol,
                    name=symbol,
                    asset_class="Indices",
                    provider="csvfile",
                    source_url=str(path),
                ),
            )
        result = load_bars(
            ctx,
            inst_id,
            symbol,
            CsvFileProvider(http, location=str(path)),
            source=f"csvfile:{symbol}",
            full_history=True,
        )
    assert result.error is None
    return inst_id


def test_levels_sit_where_the_indices_really_traded(store: Store, settings: Settings) -> None:
    cases = {
        "^GSPC": ("merged_index_series", "^GSPC.csv", 6939.03),
        "^RUT": ("yahoo_long_to_2026-02", "^RUT.csv", 2613.74),
    }
    for symbol, (folder, name, close_jan30) in cases.items():
        inst_id = load(store, settings, symbol, shared_data("prices", folder, name))
        snap = compute_snapshot(queries.bars(store, inst_id, until=AS_OF, days=400))
        assert snap is not None and snap.bar_date == date(
            2026, 1, 30
        )  # Friday: nothing after as_of
        assert round(snap.values["close"] or 0, 2) == close_jan30
        pivots = [lv for lv in snap.levels if lv.kind in ("support", "resistance")]
        assert pivots, symbol
        for level in snap.levels:
            assert level.evidence, level
            if level.kind in ("support", "resistance"):
                assert abs(level.price / close_jan30 - 1) < 0.06, (
                    symbol,
                    level,
                )  # near the market then
                assert (
                    level.touches >= 1
                    and level.last_touch_date
                    and level.last_touch_date <= date(2026, 1, 30)
                )
        if symbol == "^GSPC":
            assert all(not 4700 < lv.price < 5000 for lv in pivots)  # not the stale 4,800/4,900
        assert_levels_are_ranked_zoned_and_recent(snap.levels, close_jan30, snap.values)


def assert_levels_are_ranked_zoned_and_recent(
    levels: Sequence[Level], close: float, values: dict[str, float | None]
) -> None:
    """Supports below and resistances above the close, zones around them, more than one touch
    for the supports (both indices tested them repeatedly in late 2025), every level inside the
    last quarter's range widened by the ATR."""
    atr = values["atr14"] or 0.0
    supports = [lv for lv in levels if lv.kind == "support"]
    resistances = [lv for lv in levels if lv.kind == "resistance"]
    assert supports and all(lv.price < close and lv.touches > 1 for lv in supports)
    assert all(lv.price > close for lv in resistances)
    assert [lv.price for lv in supports] == sorted((lv.price for lv in supports), reverse=True)
    for lv in [*supports, *resistances, *(lv for lv in levels if lv.kind == "round")]:
        assert lv.zone_low is not None and lv.zone_high is not None
        assert lv.zone_low <= lv.price <= lv.zone_high and lv.zone_high - lv.zone_low <= 1.5 * atr
        assert lv.touches == len(lv.touch_dates) and lv.last_touch_date == lv.touch_dates[-1]
        assert date(2025, 1, 1) < lv.touch_dates[0] and lv.touch_dates[-1] <= date(2026, 1, 30)
    for lv in levels:
        assert abs(lv.price - close) <= DEFAULT_PARAMS.max_distance_atr * atr, lv


def test_a_poisoned_bar_after_as_of_changes_nothing(store: Store, settings: Settings) -> None:
    inst_id = load(
        store, settings, "^GSPC", shared_data("prices", "merged_index_series", "^GSPC.csv")
    )
    before = compute_snapshot(queries.bars(store, inst_id, until=AS_OF, days=400))
    with store.write() as s:
        poisoned = s.scalars(
            select(Bar).where(Bar.instrument_id == inst_id, Bar.bar_date == date(2026, 2, 2))
        ).one()
        poisoned.open, poisoned.high, poisoned.low, poisoned.close = (
            69_000.0,
            70_000.0,
            1.0,
            69_500.0,
        )
    after = compute_snapshot(queries.bars(store, inst_id, until=AS_OF, days=400))
    assert after == before
    later = compute_snapshot(
        queries.bars(store, inst_id, until=datetime(2026, 2, 4, tzinfo=UTC), days=400)
    )
    assert later is not None and later != before  # the canary is live: a later as_of sees it


def test_a_partial_last_bar_is_stored_flagged_and_not_used(
    store: Store, settings: Settings
) -> None:
    inst_id = load(
        store, settings, "^RUT", shared_data("prices", "yahoo_long_to_2026-02", "^RUT.csv")
    )
    with store.read() as s:
        last = s.scalars(
            select(Bar).where(Bar.instrument_id == inst_id).order_by(Bar.bar_date.desc())
        ).first()
    assert (
        last is not None
        and last.bar_date == date(2026, 2, 23)
        and last.partial
        and last.volume == 0
    )
    bars = queries.bars(store, inst_id, until=NOW)
    assert bars[-1].bar_date == date(2026, 2, 20)  # the completed Friday, not the intraday Monday
