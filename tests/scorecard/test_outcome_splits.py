"""A confirmed split after a call is not an outcome: the call's entry close and levels are in
the units of its day, so the bars after the split are read in those units (market.sanity)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tapewire.context import RunContext
from tapewire.market import queries as market_queries
from tapewire.market.models import Bar
from tapewire.market.providers.base import ParsedBars
from tapewire.market.sanity import accept_bar
from tapewire.market.stage import InstrumentSpec, save_bars, save_instrument
from tapewire.scorecard.models import Outcome
from tapewire.store import open_store
from tests.scorecard.support import real_bars, run_stages

START, END = date(2018, 1, 1), date(2020, 6, 30)


def test_an_outcome_across_a_confirmed_split_equals_the_clean_series(
    make_ctx: Callable[..., RunContext], tmp_path: object
) -> None:
    d = date(2020, 2, 14)
    as_of = datetime(2020, 2, 15, tzinfo=UTC)
    later = as_of + timedelta(days=40)
    bars = real_bars("SPY", START, END)
    at = next(i for i, b in enumerate(bars) if b.bar_date > d) + 5  # a split 5 sessions after
    split = bars[:at] + [
        replace(b, open=b.open / 2, high=b.high / 2, low=b.low / 2, close=b.close / 2)
        for b in bars[at:]
    ]
    measured = []
    for name, series in (("clean", bars), ("split", split)):
        store = open_store(f"sqlite:///{tmp_path}/{name}.db")
        try:
            with store.write() as s:
                iid = save_instrument(s, InstrumentSpec("SPY", "SPY", "ETFs"))
                save_bars(s, iid, ParsedBars(tuple(series)), source="test")
            run_stages(make_ctx, store, as_of)  # the call as of D+1
            run_stages(make_ctx, store, later, names=("technicals",))  # flags the split
            if name == "split":
                with store.read() as s:
                    flagged = s.scalars(select(Bar.bar_date).where(Bar.sanity.is_not(None))).all()
                assert flagged == [split[at].bar_date]
                with store.write() as s:
                    assert accept_bar(s, iid, split[at].bar_date) is not None
            run_stages(make_ctx, store, later, names=("scorecard",))
            inst = market_queries.instrument(store, "SPY")
            assert inst is not None
            with store.read() as s:
                row = s.scalars(
                    select(Outcome).where(
                        Outcome.instrument_id == inst.id, Outcome.kind == "signal"
                    )
                ).one()
                measured.append((row.complete, row.measured))
        finally:
            store.close()
    (done_a, clean), (done_b, adjusted) = measured
    assert done_a and done_b
    assert adjusted["returns"] == clean["returns"]
    assert adjusted == clean
