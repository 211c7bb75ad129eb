"""The backtest makes the pipeline's calls, exactly; no call sees a bar after its as_of."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from tapewire.context import RunContext
from tapewire.market import queries as market_queries
from tapewire.market.queries import BarView
from tapewire.scorecard import backtest
from tapewire.scorecard.backtest import (
    HISTORY_DAYS,
    Series,
    Universe,
    backtest_calls,
    measure_calls,
    sessions,
)
from tapewire.scorecard.models import Outcome
from tapewire.signals import queries as signals_queries
from tapewire.store import Store, open_store
from tapewire.technicals import queries as technicals_queries
from tapewire.technicals import stage as technicals_stage
from tapewire.technicals.compute import compute_snapshot
from tapewire.technicals.relative import compute_relative
from tests.scorecard.support import UNIVERSE, load_universe, real_bars, run_stages

START, END = date(2017, 6, 1), date(2020, 6, 30)
# a sample of as-of days: calm, a Saturday, the March 2020 crash, a holiday (Good Friday)
SAMPLE = [
    date(2019, 1, 15),
    date(2019, 6, 8),
    date(2020, 3, 10),
    date(2020, 3, 17),
    date(2020, 4, 10),
    date(2020, 5, 5),
]


def test_the_backtest_window_is_the_technicals_stage_window() -> None:
    assert backtest.HISTORY_DAYS == technicals_stage.HISTORY_DAYS
    assert backtest.EQUITY_CLASSES == technicals_stage.EQUITY_CLASSES


def _universe(store: Store) -> Universe:
    far = datetime(2100, 1, 1, tzinfo=UTC)
    series = {
        i.symbol: Series(
            i.id,
            i.symbol,
            i.asset_class,
            i.benchmark_symbol,
            market_queries.bars(store, i.id, until=far),
        )
        for i in market_queries.instruments(store)
    }
    return Universe(series, "^VIX")


def test_backtest_calls_equal_the_pipeline_on_sample_days(
    sqlite_store: Store, make_ctx: Callable[..., RunContext]
) -> None:
    load_universe(sqlite_store, START, END)
    for day in SAMPLE:
        run_stages(
            make_ctx,
            sqlite_store,
            datetime.combine(day, datetime.min.time(), UTC),
            names=("technicals", "signals"),
        )
    universe = _universe(sqlite_store)
    compared = 0
    for inst in market_queries.instruments(sqlite_store):
        calls = backtest_calls(
            universe.by_symbol[inst.symbol],
            universe,
            start=SAMPLE[0] - timedelta(days=7),
            end=SAMPLE[-1],
        )
        by_entry = {c.entry_date: c for c in calls}
        for day in SAMPLE:
            as_of = datetime.combine(day, datetime.min.time(), UTC)
            sig = signals_queries.latest(sqlite_store, inst.id, until=as_of)
            tech = technicals_queries.latest(sqlite_store, inst.id, until=as_of)
            assert sig is not None and tech is not None and sig.as_of == as_of
            call = by_entry[tech.bar_date]  # Saturday's call is Friday's session's call
            assert (call.pulse, call.direction, call.threat, call.risk) == (
                sig.pulse,
                sig.direction,
                sig.threat,
                sig.risk,
            ), (inst.symbol, day)
            pulse = sig.components["pulse"]
            assert isinstance(pulse, list)
            assert call.components == {c["name"]: c["value"] for c in pulse}
            assert sorted((lv.kind, lv.price) for lv in call.levels) == sorted(
                (lv.kind, lv.price) for lv in tech.levels if lv.price != tech.values["close"]
            )
            compared += 1
    assert compared == 5 * len(SAMPLE)


def _window(series: Series, last: int) -> list[BarView]:
    """The technicals stage's window as of the day after bar ``last``: HISTORY_DAYS back."""
    day = series.date_list[last]
    return [b for b in series.bars[: last + 1] if (day - b.bar_date).days < HISTORY_DAYS]


def test_backtest_sessions_equal_the_snapshot_field_for_field() -> None:
    """Every session's values and levels (touches, dates, zones, evidence) equal the pipeline's
    pure snapshot on that session's window, on real series from their first bar (the first
    year's windows are short: no 52-week extremes), relative strength equals compute_relative
    and the benchmark's 20-day return its own snapshot's."""
    universe = Universe(
        {
            symbol: Series(
                n + 1,
                symbol,
                asset_class,
                bench,
                [BarView(*vars_of(b)) for b in real_bars(symbol, START, END)],  # type: ignore[arg-type]
            )
            for n, (symbol, (_, asset_class, bench)) in enumerate(UNIVERSE.items())
        },
        "^VIX",
    )
    compared = first_year = 0
    for symbol, series in universe.by_symbol.items():
        bench = universe.benchmark_of(series)
        for k, sess in enumerate(sessions(series, universe, start=START, end=END)):
            if k % (2 if k < 260 else 15):  # half the first year's sessions, then a sample
                continue
            window = _window(series, sess.last)
            assert series.bars[sess.first : sess.last + 1] == window
            snap = compute_snapshot(window)
            assert snap is not None
            assert sess.levels == list(snap.levels), (symbol, window[-1].bar_date)
            own = {key: sess.values[key] for key in sess.values if key not in ("rs20_pct", "vix")}
            assert own == {key: snap.values[key] for key in own}, (symbol, window[-1].bar_date)
            if len(window) < 252:
                first_year += 1
                assert not any("52-week" in lv.evidence for lv in sess.levels)
            if bench is not None:
                j = bench.last_index_on_or_before(series.dates[sess.last])
                bench_window = _window(bench, j)
                rel = compute_relative(
                    [b.bar_date for b in window],
                    [b.close for b in window],
                    [b.bar_date for b in bench_window],
                    [b.close for b in bench_window],
                )
                assert sess.values.get("rs20_pct", "absent") == (
                    rel.rs20_pct if rel is not None else "absent"
                )
                bench_snap = compute_snapshot(bench_window)
                assert sess.benchmark_return20_pct == (
                    bench_snap.values["return20_pct"] if bench_snap is not None else None
                )
            compared += 1
    assert first_year > 500 and compared > 700


def vars_of(bar: object) -> tuple[object, ...]:
    return tuple(getattr(bar, f) for f in ("bar_date", "open", "high", "low", "close", "volume"))


def test_look_ahead_canary_bars_after_d_change_outcomes_never_calls(
    settings: object, make_ctx: Callable[..., RunContext], tmp_path: object
) -> None:
    """Corrupt every bar after D: calls and signals as of D stay the same, their outcomes do
    not (in the pipeline and in the backtest)."""
    d = date(2020, 2, 14)
    as_of = datetime(2020, 2, 15, tzinfo=UTC)
    later = as_of + timedelta(days=40)
    results = []
    for name, corrupt in (("clean", None), ("corrupt", d)):
        store = open_store(f"sqlite:///{tmp_path}/{name}.db")
        try:
            load_universe(store, START, END, corrupt_after=corrupt)
            run_stages(make_ctx, store, as_of)  # the call as of D+1, from bars up to D
            run_stages(make_ctx, store, later, names=("scorecard",))  # its outcome, later
            spy = market_queries.instrument(store, "SPY")
            assert spy is not None
            sig = signals_queries.latest(store, spy.id, until=as_of)
            with store.read() as s:
                row = s.scalars(
                    select(Outcome).where(Outcome.instrument_id == spy.id, Outcome.kind == "signal")
                ).one()
                outcome = (
                    row.direction,
                    row.pulse,
                    row.threat,
                    row.risk,
                    row.levels,
                    row.inputs,
                    row.measured,
                    row.complete,
                )
            universe = _universe(store)
            calls = backtest_calls(
                universe.by_symbol["SPY"], universe, start=date(2019, 6, 1), end=as_of.date()
            )
            measured = measure_calls(calls, universe.by_symbol["SPY"], universe)
            results.append((sig, outcome, calls, measured))
        finally:
            store.close()
    (sig_a, out_a, calls_a, m_a), (sig_b, out_b, calls_b, m_b) = results
    assert sig_a == sig_b  # the signal as of D+1
    assert out_a[:6] == out_b[:6]  # the call: direction, Pulse, Threat, Risk, levels, inputs
    assert out_a[7] and out_b[7]  # both outcomes complete (20 sessions in)
    assert out_a[6]["returns"] != out_b[6]["returns"]  # ... and they differ
    assert calls_a == calls_b and len(calls_a) > 150
    assert m_a[-1].returns != m_b[-1].returns
    assert m_a[:-20] == m_b[:-20]  # outcomes ending on or before D are untouched
