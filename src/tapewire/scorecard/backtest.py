"""Backtest (pure): the calls the day-by-day pipeline would have made, from bars alone, fast.

The pipeline, as of day D, reads each instrument's bars dated in (D-1-HISTORY_DAYS, D-1], computes
a snapshot (``technicals.compute``), cross values against its benchmark and the VIX, then scores
it (``signals.compute``). The backtest makes the same call for every session in range at once:
each as-of day's window becomes one row of a batch (NaN before its first bar), and the indicator
set runs once over the whole batch (``compute_indicator_set``, numpy, the same function the stage
uses); levels (``find_levels``), relative strength (``compute_relative``) and the scores
(``compute_signals``) are the stage's own functions per day. One call per session: as of the day
after each bar (a weekend's calls repeat Friday's in the pipeline and are not repeated here).

There is no news in a backtest (the archives are too thin): the news component is absent and Heat
is Low, which the call's components record. ``tests/scorecard/test_backtest.py`` compares these
calls with the pipeline's, exactly, on a sample of days.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from tapewire.market import queries as market_queries
from tapewire.market.queries import BarView
from tapewire.market.sanity import flagged_bars, screen_stored
from tapewire.scorecard.calls import Call, atr_pct, named_levels
from tapewire.scorecard.outcomes import HORIZONS, Measured, PathBar, measure
from tapewire.signals.compute import SignalInputs, compute_signals
from tapewire.store import Store
from tapewire.technicals.compute import MIN_BARS, SLOPE_DAYS, SLOPE_SMA_DAYS
from tapewire.technicals.indicator_set import compute_indicator_set
from tapewire.technicals.indicators import sma_tm
from tapewire.technicals.levels import DEFAULT_PARAMS, Level, LevelHistory
from tapewire.technicals.relative import RelativeHistory
from tapewire.technicals.windows import NARROW, compute_shifted_sums, find_starts

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
# technicals.stage's window and the classes the VIX regime applies to (stages are not imported
# across; tests/scorecard/test_backtest.py checks these agree)
HISTORY_DAYS = 440
EQUITY_CLASSES = ("Stocks", "Indices", "ETFs")
CHUNK = 512  # as-of days per batch (rows x ~300 bars x 3 arrays stay small)
# Windows per call of the indicator set. Its recursions (EMA, RSI, ATR, MACD: six stacked per
# window) take the same arithmetic as a single window's only while the stack is at most
# windows.NARROW columns wide; wider, a row-by-row step that differs in the last bits (RSI and
# ATR then differed from the pipeline's on most days, and ATR sets the levels' zones).
EXACT_WINDOWS = NARROW // 6
WANT = (
    "sma50",
    "sma200",
    "rsi14",
    "atr14",
    "return20_pct",
    "realized_vol20_pct",
    "realized_vol_pctile",
    "return20_z",
)


@dataclass(slots=True)
class Series:
    """One instrument's bars, oldest first, with what the pipeline knows of it."""

    instrument_id: int
    symbol: str
    asset_class: str
    benchmark_symbol: str | None
    bars: list[BarView]
    dates: npt.NDArray[np.int64] = field(init=False)
    high: FloatArray = field(init=False)
    low: FloatArray = field(init=False)
    close: FloatArray = field(init=False)
    date_list: list[date] = field(init=False)
    close_list: list[float] = field(init=False)

    def __post_init__(self) -> None:
        self.date_list = [b.bar_date for b in self.bars]
        self.dates = np.array([d.toordinal() for d in self.date_list], dtype=np.int64)
        self.high = np.array([b.high for b in self.bars], dtype=np.float64)
        self.low = np.array([b.low for b in self.bars], dtype=np.float64)
        self.close = np.array([b.close for b in self.bars], dtype=np.float64)
        self.close_list = [b.close for b in self.bars]

    def window_start(self, last: int) -> int:
        """First index of the pipeline's window whose last bar is ``last``'s date."""
        return int(np.searchsorted(self.dates, self.dates[last] - HISTORY_DAYS + 1, "left"))

    def last_index_on_or_before(self, ordinal: int) -> int:
        return int(np.searchsorted(self.dates, ordinal, "right")) - 1


def as_of_after(bar_date: date) -> datetime:
    """The pipeline's as_of that first sees a bar dated ``bar_date``: the next day, 00:00 UTC."""
    return datetime.combine(bar_date + timedelta(days=1), time(), tzinfo=UTC)


def _slope_means(close: FloatArray) -> FloatArray:
    """means[t] = the mean of the SLOPE_SMA_DAYS closes ending at bar t (NaN before): each the
    same reduction as ``close[-SLOPE_SMA_DAYS:].mean()`` on a window ending at t."""
    means = np.full(len(close), np.nan)
    if len(close) >= SLOPE_SMA_DAYS:
        means[SLOPE_SMA_DAYS - 1 :] = sliding_window_view(close, SLOPE_SMA_DAYS).mean(axis=1)
    return means


def _sma_slope_pct(means: FloatArray, first: int, last: int) -> float | None:
    """technicals.compute's 50-day average slope over 20 bars on the window first..last."""
    if last - first + 1 < SLOPE_SMA_DAYS + SLOPE_DAYS:
        return None
    now, then = float(means[last]), float(means[last - SLOPE_DAYS])
    return (now / then - 1.0) * 100.0


def _batch(
    series: Series, lasts: npt.NDArray[np.intp], starts: npt.NDArray[np.intp]
) -> tuple[dict[str, FloatArray], dict[int, FloatArray]]:
    """For each window [starts[k], lasts[k]]: the indicator set's last value, and the 50/200-day
    averages over the window's last LOOKBACK_BARS bars (time-major, column k), which
    ``find_levels`` tests the averages on. Both equal the per-window computations float for
    float: each window is a column of its own that starts where the window starts (the indicator
    set in groups of EXACT_WINDOWS columns, the averages' running sums all at once)."""
    width = int((lasts - starts).max()) + 1
    idx = lasts[:, None] - (width - 1) + np.arange(width)[None, :]
    valid = idx >= starts[:, None]
    safe = np.clip(idx, 0, None)
    h = np.where(valid, series.high[safe], np.nan)
    lo = np.where(valid, series.low[safe], np.nan)
    c = np.where(valid, series.close[safe], np.nan)
    last: dict[str, FloatArray] = {name: np.empty(len(lasts)) for name in WANT}
    for g in range(0, len(lasts), EXACT_WINDOWS):
        part = slice(g, g + EXACT_WINDOWS)
        out = compute_indicator_set(h[part], lo[part], c[part], names=WANT, tail=1)
        for name, arr in out.items():
            last[name][part] = arr[:, -1]
    closes = np.ascontiguousarray(c.T)  # (bars, windows), as compute_sma lays one window out
    first = find_starts(closes)
    sums = compute_shifted_sums(closes, first)
    look = min(width, DEFAULT_PARAMS.lookback_bars)
    averages = {p: sma_tm(closes, p, first, sums)[-look:] for p in (50, 200)}
    return last, averages


def _opt(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


@dataclass(frozen=True, slots=True)
class Universe:
    by_symbol: dict[str, Series]
    vix_symbol: str | None

    def benchmark_of(self, series: Series) -> Series | None:
        bench = self.by_symbol.get(series.benchmark_symbol or "")
        return bench if bench is not None and bench is not series else None


@dataclass(frozen=True, slots=True)
class Session:
    """What the pipeline knows of one instrument as of the day after bar ``last``: the
    technical values and levels of its snapshot (window ``first..last``) and its benchmark's
    20-day return. ``tests/scorecard/test_backtest.py`` compares these with
    ``technicals.compute.compute_snapshot`` on the same window, field for field."""

    last: int
    first: int
    values: dict[str, float | None]
    levels: list[Level]
    benchmark_return20_pct: float | None


def sessions(series: Series, universe: Universe, *, start: date, end: date) -> Iterator[Session]:
    """Every session whose as_of day is in [start, end], oldest first.

    The indicator set runs over a batch of windows at once (``_batch``); the levels come from
    one ``LevelHistory`` of the whole series (swing points found once, the averages' bands from
    the batch) and relative strength from one ``RelativeHistory``: each equals the per-window
    computation, and none reads a bar after the session's last."""
    lo = int(np.searchsorted(series.dates, (start - timedelta(days=1)).toordinal(), "left"))
    hi = int(np.searchsorted(series.dates, (end - timedelta(days=1)).toordinal(), "right"))
    lasts_all = np.arange(lo, hi, dtype=np.intp)
    starts_all = np.array([series.window_start(int(i)) for i in lasts_all], dtype=np.intp)
    keep = (lasts_all - starts_all + 1) >= MIN_BARS
    lasts_all, starts_all = lasts_all[keep], starts_all[keep]
    bench = universe.benchmark_of(series)
    bench_r20 = None
    relative = None
    if bench is not None:
        bench_r20 = compute_indicator_set(
            bench.high, bench.low, bench.close, names=("return20_pct",)
        )["return20_pct"]
        relative = RelativeHistory(
            series.date_list, series.close_list, bench.date_list, bench.close_list
        )
    vix = universe.by_symbol.get(universe.vix_symbol or "")
    use_vix = vix is not None and vix is not series and series.asset_class in EQUITY_CLASSES
    history = LevelHistory(series.date_list, series.high, series.low, series.close)
    slope_means = _slope_means(series.close)
    for c0 in range(0, len(lasts_all), CHUNK):
        lasts, starts = lasts_all[c0 : c0 + CHUNK], starts_all[c0 : c0 + CHUNK]
        if not len(lasts):
            break
        ind, averages = _batch(series, lasts, starts)
        for k, (i, s) in enumerate(zip(lasts.tolist(), starts.tolist(), strict=True)):
            values: dict[str, float | None] = {name: _opt(ind[name][k]) for name in WANT}
            close = series.close_list[i]
            year = slice(max(s, i - 251), i + 1)
            values |= {
                "close": close,
                "high52": float(series.high[year].max()),
                "sma50_slope_pct": _sma_slope_pct(slope_means, s, i),
            }
            day = series.dates[i]
            bench_return = None
            if bench is not None and bench_r20 is not None and relative is not None:
                j = bench.last_index_on_or_before(int(day))
                js = int(np.searchsorted(bench.dates, day - HISTORY_DAYS + 1, "left"))
                if j >= js:  # the benchmark has bars in its window: relative strength
                    has_relative, rs20 = relative.rs20_at(s, i, js, j)
                    if has_relative:
                        values["rs20_pct"] = rs20
                if j >= js + MIN_BARS - 1:  # the benchmark has a snapshot as of this day
                    bench_return = _opt(bench_r20[j]) if j - js >= 20 else None
            if use_vix and vix is not None:
                v = vix.last_index_on_or_before(int(day))
                if v >= 0 and vix.dates[v] == day:
                    values["vix"] = vix.close_list[v]
            look = min(i - s + 1, DEFAULT_PARAMS.lookback_bars)
            levels = history.levels_at(
                i,
                first=s,
                atr=values["atr14"] or 0.0,
                sma50=values["sma50"],
                sma200=values["sma200"],
                averages={p: a[-look:, k] for p, a in averages.items()},
            )
            yield Session(i, s, values, levels, bench_return)


def backtest_calls(series: Series, universe: Universe, *, start: date, end: date) -> list[Call]:
    """One call per session whose as_of day is in [start, end], as the pipeline makes it."""
    calls: list[Call] = []
    for sess in sessions(series, universe, start=start, end=end):
        values, levels = sess.values, sess.levels
        close = series.close_list[sess.last]
        as_of = as_of_after(series.date_list[sess.last])
        sig = compute_signals(
            SignalInputs(
                values=values,
                support_prices=tuple(lv.price for lv in levels if lv.kind == "support"),
                news=(),
                benchmark_return20_pct=sess.benchmark_return20_pct,
            ),
            as_of=as_of,
        )
        calls.append(
            Call(
                kind="backtest",
                instrument_id=series.instrument_id,
                symbol=series.symbol,
                asset_class=series.asset_class,
                as_of=as_of,
                trigger="backtest",
                direction=sig.pulse.direction,
                pulse=sig.pulse.score,
                threat=sig.threat.level,
                risk=sig.risk.label,
                entry_close=close,
                entry_date=series.date_list[sess.last],
                components={c.name: c.value for c in sig.pulse.components},
                return20_pct=values["return20_pct"],
                atr_pct=atr_pct(values),
                realized_vol20_pct=values["realized_vol20_pct"],
                levels=named_levels(
                    ((lv.kind, lv.price, lv.zone_low, lv.zone_high) for lv in levels), close
                ),
            )
        )
    return calls


def measure_calls(calls: Sequence[Call], series: Series, universe: Universe) -> list[Measured]:
    """Each call's outcome from the bars after its entry (the series' own later bars)."""
    bench = universe.benchmark_of(series)
    out = []
    n = len(series.bars)
    for call in calls:
        i = series.last_index_on_or_before(call.entry_date.toordinal())
        path = [
            PathBar(b.bar_date, b.high, b.low, b.close)
            for b in series.bars[i + 1 : min(n, i + 1 + HORIZONS[-1])]
        ]
        bench_path = None
        if bench is not None:
            j = bench.last_index_on_or_before(call.entry_date.toordinal())
            end = path[-1].bar_date.toordinal() if path else call.entry_date.toordinal()
            k = bench.last_index_on_or_before(end)
            bench_path = list(
                zip(
                    bench.date_list[max(j, 0) : k + 1],
                    bench.close_list[max(j, 0) : k + 1],
                    strict=True,
                )
            )
        out.append(
            measure(
                direction=call.direction,
                entry_close=call.entry_close,
                entry_date=call.entry_date,
                path=path,
                levels=call.levels,
                benchmark=bench_path,
            )
        )
    return out


def _needed(universe: Universe, symbol: str) -> Universe:
    """The part of the universe one symbol's calls read: itself, its benchmark, the VIX."""
    series = universe.by_symbol[symbol]
    keep = {symbol, series.benchmark_symbol or "", universe.vix_symbol or ""}
    return Universe({s: v for s, v in universe.by_symbol.items() if s in keep}, universe.vix_symbol)


def _one(task: tuple[Universe, str, date, date]) -> list[tuple[Call, Measured]]:
    universe, symbol, start, end = task
    series = universe.by_symbol[symbol]
    calls = backtest_calls(series, universe, start=start, end=end)
    return list(zip(calls, measure_calls(calls, series, universe), strict=True))


def run_backtest(
    universe: Universe,
    symbols: Sequence[str],
    *,
    start: date,
    end: date,
    jobs: int = 1,
    on_symbol: Callable[[str, int], None] | None = None,
) -> list[tuple[Call, Measured]]:
    """Calls and outcomes of every named symbol, in symbol order; ``jobs`` > 1 runs symbols in
    that many processes (each gets only the series its symbol reads)."""
    tasks = [(_needed(universe, s), s, start, end) for s in symbols]
    out: list[tuple[Call, Measured]] = []
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(min(jobs, len(tasks))) as pool:
            parts = pool.map(_one, tasks)
            for symbol, part in zip(symbols, parts, strict=True):
                out += part
                if on_symbol is not None:
                    on_symbol(symbol, len(part))
        return out
    for task in tasks:
        part = _one(task)
        out += part
        if on_symbol is not None:
            on_symbol(task[1], len(part))
    return out


def universe_from_store(store: Store, *, vix_symbol: str | None) -> Universe:
    """Every stored instrument's completed daily bars, screened as the technicals stage screens
    them (a backtest reads bars only): suspect bars flagged in the store, rejected ticks left
    out, confirmed splits back-adjusted, and nothing from an unconfirmed split on (the pipeline
    writes no call across one: `tapewire prices confirm` first)."""
    far = datetime(9999, 1, 1, tzinfo=UTC)
    insts = market_queries.instruments(store, active_only=False)
    raw = {i.symbol: market_queries.bars(store, i.id, until=far) for i in insts}
    return Universe(
        {
            i.symbol: Series(
                i.id,
                i.symbol,
                i.asset_class,
                i.benchmark_symbol,
                screened_history(
                    store,
                    i.id,
                    raw[i.symbol],
                    bench=raw.get(i.benchmark_symbol or ""),
                    symbol=i.symbol,
                ),
            )
            for i in insts
        },
        vix_symbol,
    )


def screened_history(
    store: Store,
    instrument_id: int,
    bars: list[BarView],
    *,
    bench: Sequence[BarView] | None,
    symbol: str,
) -> list[BarView]:
    """A whole stored series as the day-by-day pipeline would have read it (market.sanity)."""
    checked = screen_stored(store, instrument_id, bars, bench=bench, symbol=symbol)
    if checked.blocked is None:
        return [b for b in checked.bars if b.bar_date not in checked.pending]
    unconfirmed = [
        day for day, flag, ok in flagged_bars(store, instrument_id) if not ok and " split" in flag
    ]
    cut = min(unconfirmed) if unconfirmed else None
    logger.warning("%s: backtest stops at %s: %s", symbol, cut, checked.blocked)
    return market_queries.reviewed_bars(
        store, instrument_id, [b for b in bars if cut is None or b.bar_date < cut]
    )
