"""The set-based technicals and signals stages store the same rows, field for field, as the
former per-instrument path (issue #16), on real series (SQLite and Postgres)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from tapewire.context import RunContext, StageReport
from tapewire.market.providers import ParsedBars
from tapewire.market.providers.csvfile import parse_csv_bars
from tapewire.market.stage import InstrumentSpec, save_bars, save_instrument
from tapewire.signals import stage as signals_stage
from tapewire.signals.models import Signal
from tapewire.store import Store
from tapewire.technicals import stage as technicals_stage
from tapewire.technicals.models import Indicator, Level
from tests.conftest import shared_data

NORMALIZED = "daily_2015_to_2026-02-27_normalized"
YAHOO = "yahoo_long_to_2026-02"
# (symbol, folder, benchmark, member_of): stocks against ^GSPC and in its breadth, an index, VIX.
SERIES = [
    ("^GSPC", NORMALIZED, None, ()),
    ("AAPL", NORMALIZED, "^GSPC", ("^GSPC",)),
    ("JPM", NORMALIZED, "^GSPC", ("^GSPC",)),
    ("XOM", NORMALIZED, "^GSPC", ("^GSPC",)),
    ("NVDA", NORMALIZED, "^GSPC", ("^GSPC",)),
    ("TSLA", NORMALIZED, "^GSPC", ("^GSPC",)),
    ("SPY", YAHOO, "^GSPC", ()),
    ("TLT", YAHOO, None, ()),
    ("^VIX", YAHOO, None, ()),
]
DAYS = [datetime(2026, 2, d, tzinfo=UTC) for d in (10, 14, 17)]  # Tue, Sat, Tue after a holiday


def _load(store: Store) -> None:
    with store.write() as s:
        for symbol, folder, bench, members in SERIES:
            cls = "Indices" if symbol.startswith("^") else "Stocks"
            inst_id = save_instrument(
                s, InstrumentSpec(symbol, symbol, cls, benchmark_symbol=bench, member_of=members)
            )
            bars = parse_csv_bars(shared_data("prices", folder, f"{symbol}.csv").read_bytes()).bars
            kept = tuple(b for b in bars if date(2024, 1, 1) <= b.bar_date < date(2026, 2, 20))
            save_bars(s, inst_id, ParsedBars(kept), source="test")


def _rows(store: Store, as_of: datetime) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored field but the row ids (levels in id order: the order readers see)."""
    with store.read() as s:
        indicators = sorted(
            (r.instrument_id, r.as_of, r.bar_date, r.name, r.value)
            for r in s.scalars(select(Indicator).where(Indicator.as_of == as_of))
        )
        levels = [
            (
                r.instrument_id,
                r.as_of,
                r.kind,
                r.price,
                r.zone_low,
                r.zone_high,
                r.touches,
                r.last_touch_date,
                r.evidence,
            )
            for r in s.scalars(select(Level).where(Level.as_of == as_of).order_by(Level.id))
        ]
        levels.sort(key=lambda row: row[0])  # stable: id order kept within an instrument
        signals = sorted(
            (
                r.instrument_id,
                r.as_of,
                r.pulse,
                r.direction,
                r.heat,
                r.heat_label,
                r.risk,
                r.threat,
                repr(r.components),
            )
            for r in s.scalars(select(Signal).where(Signal.as_of == as_of))
        )
    return {"indicator": indicators, "level": levels, "signal": signals}


Stage = Callable[[RunContext], StageReport]


@pytest.mark.parametrize("as_of", DAYS, ids=lambda d: d.date().isoformat())
def test_set_based_stages_store_what_the_per_instrument_path_stored(
    store: Store, make_ctx: Callable[..., RunContext], as_of: datetime
) -> None:
    _load(store)
    ctx = make_ctx(store, as_of)
    old = (technicals_stage.run_per_instrument, signals_stage.run_per_instrument)
    new = (technicals_stage.run, signals_stage.run)
    reports_old = [stage(ctx).counts for stage in old]
    before = _rows(store, as_of)
    reports_new = [stage(ctx).counts for stage in new]  # replaces the same (instrument, as_of)
    after = _rows(store, as_of)
    assert reports_new == reports_old
    assert len(before["indicator"]) > 20 * len(SERIES) and len(before["signal"]) == len(SERIES)
    assert before["level"], "real series have support and resistance levels"
    assert {r[3] for r in before["indicator"]} >= {"rs20_pct", "breadth50_pct", "vix"}
    assert sum(r[4] is not None for r in before["indicator"]) > 20 * len(SERIES)
    for table in before:
        assert after[table] == before[table], table


def test_prefetched_sanity_flags_give_the_per_instrument_rows(
    store: Store, make_ctx: Callable[..., RunContext]
) -> None:
    """The chunk's flags read in one query (issue #16) screen as the per-instrument read did:
    a confirmed split scales AAPL's bars before it, a rejected tick leaves a JPM bar out."""
    from sqlalchemy import update

    from tapewire.market.models import Bar, Instrument

    _load(store)
    as_of = DAYS[0]
    with store.write() as s:
        ids = dict(s.execute(select(Instrument.symbol, Instrument.id)).all())
        for symbol, day, reason, ok in (
            ("AAPL", date(2025, 6, 2), "suspected 2:1 split: gap -50.0% (test)", True),
            ("JPM", date(2025, 9, 2), "suspected bad tick: close 1 vs 2 before (test)", False),
        ):
            s.execute(
                update(Bar)
                .where(Bar.instrument_id == ids[symbol], Bar.bar_date == day)
                .values(sanity=reason, sanity_ok=ok)
            )
    ctx = make_ctx(store, as_of)
    technicals_stage.run_per_instrument(ctx)
    before = _rows(store, as_of)
    technicals_stage.run(ctx)
    after = _rows(store, as_of)
    assert after["indicator"] and after == before
    plain = make_ctx(store, as_of)
    with store.write() as s:  # without the flags the rows differ: the flags were applied
        s.execute(update(Bar).where(Bar.sanity.like("%(test)")).values(sanity=None))
    technicals_stage.run(plain)
    assert _rows(store, as_of)["indicator"] != before["indicator"]
