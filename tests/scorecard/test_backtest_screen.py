"""The backtest screens bars as the technicals stage does (market.sanity): the real XLE series
in ../shared/data is unadjusted for its 2:1 split of 2025-11-17, so an unscreened backtest graded
calls across a -50% "move". Until the split is confirmed no call is made from it on; once it is,
the calls go on in adjusted prices and no outcome reads the split as a move."""

from __future__ import annotations

from datetime import date

from tapewire.market.providers.base import ParsedBars
from tapewire.market.providers.csvfile import parse_csv_bars
from tapewire.market.sanity import accept_bar
from tapewire.market.stage import InstrumentSpec, save_bars, save_instrument
from tapewire.scorecard.backtest import run_backtest, universe_from_store
from tapewire.store import Store
from tests.conftest import shared_data

SPLIT = date(2025, 11, 17)
START, END = date(2024, 1, 1), date(2026, 2, 27)


def _load(store: Store) -> int:
    ids = {}
    with store.write() as s:
        for symbol, path, cls, bench in (
            ("^GSPC", ("merged_index_series", "^GSPC.csv"), "Indices", None),
            ("XLE", ("yahoo_long_to_2026-02", "XLE.csv"), "ETFs", "^GSPC"),
        ):
            body = shared_data("prices", *path).read_bytes()
            bars = tuple(b for b in parse_csv_bars(body, source=symbol).bars if b.bar_date >= START)
            ids[symbol] = save_instrument(
                s, InstrumentSpec(symbol, symbol, cls, benchmark_symbol=bench)
            )
            save_bars(s, ids[symbol], ParsedBars(bars), source="test")
    return ids["XLE"]


def test_the_backtest_makes_no_call_across_an_unconfirmed_split_and_adjusts_a_confirmed_one(
    sqlite_store: Store,
) -> None:
    xle = _load(sqlite_store)
    universe = universe_from_store(sqlite_store, vix_symbol=None)
    assert universe.by_symbol["XLE"].bars[-1].bar_date < SPLIT  # cut at the suspected split
    held = run_backtest(universe, ["XLE"], start=date(2025, 6, 1), end=END)
    assert held and all(call.entry_date < SPLIT for call, _ in held)

    with sqlite_store.write() as s:
        assert accept_bar(s, xle, SPLIT) is not None
    universe = universe_from_store(sqlite_store, vix_symbol=None)
    series = universe.by_symbol["XLE"]
    assert series.bars[-1].bar_date > SPLIT
    before = next(b for b in reversed(series.bars) if b.bar_date < SPLIT)
    after = next(b for b in series.bars if b.bar_date >= SPLIT)
    assert abs(after.close / before.close - 1) < 0.1  # adjusted: no -50% gap
    graded = run_backtest(universe, ["XLE"], start=date(2025, 6, 1), end=END)
    assert any(call.entry_date >= SPLIT for call, _ in graded)
    worst = min(r for _, m in graded for r in m.returns.values() if r is not None)
    assert worst > -25.0
