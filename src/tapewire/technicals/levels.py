"""Key levels with evidence (pure): support/resistance zones from swing pivots clustered by ATR,
ranked by touches and recency; round numbers; 50/200-day averages; 52-week extremes.

The rules (ATR is the last 14-day ATR; every window ends at the last bar given; the names in
capitals are fields of ``LevelParams``):

1. Pivots. A swing high (low) is a bar whose high (low) is the extreme of PIVOT_WINDOW bars
   either side, within the last LOOKBACK_BARS bars.
2. Zones. Around each pivot, the pivots within CLUSTER_ATR ATR of it form a candidate zone: the
   extent of those pivots, at least MIN_ZONE_ATR ATR wide around their mean (the level's price).
3. Tests. A test is a run of consecutive bars whose high-low range overlaps the zone. It *held*
   (a touch) when price left the zone on the side it came from, and *broke* when it left on the
   other side. A run open at the window's first bar is a touch (where it came from is not in
   the window); a run still open at the last bar is not counted yet (its outcome is unknown). A
   touch's date is the run's last bar (the last bar that traded in the zone).
4. Score = the sum over touches of ``0.5 ** (age / HALF_LIFE_BARS)`` minus BREAK_PENALTY times
   the same sum over breaks, age = bars since the run ended. Best-scored zones are kept first; a
   zone overlapping one already kept is dropped (non-maximum suppression).
5. Supports are the zones whose price is below the last close, resistances above. The
   MAX_PER_SIDE best-scored of each side with at least one touch, inside the recent range, are
   kept and listed nearest first.
6. Round numbers: the nearest multiples of a round step (1, 2.5 or 5 times a power of ten, the
   smallest at least ROUND_STEP_ATR ATR) below and above the close, kept when price tested them
   and held at least once in the lookback (rule 3 with a zone of MIN_ZONE_ATR ATR around them),
   unless they fall inside a support or resistance zone already listed.
7. Reference levels: the 50- and 200-day averages (their tests, rule 3, are against each day's
   average ± MIN_ZONE_ATR / 2 ATR) and the lookback's highest high and lowest low (the 52-week
   extremes; their touch is the bar that set them).

Recent range: no level is emitted outside [lowest low, highest high] of the last RANGE_BARS bars
widened by RANGE_PAD_ATR ATR, or farther than MAX_DISTANCE_ATR ATR from the close (about the
distance an index travels in a month).

PIVOT_WINDOW, CLUSTER_ATR, HALF_LIFE_BARS and BREAK_PENALTY were chosen with
``bench/levels_quality --tune`` on as-of days in 2001-2013 only (2014 on is the reported period):
the highest reversal-rate ratio against random levels among settings that leave a support on at
least 60% of days. Longer pivot windows scored higher there (5 bars: about 1.0, 21 bars: 1.12,
30 bars: 1.15 but a support on only half the days); cluster width, half-life and break penalty
moved the ratio by less than its noise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from tapewire.technicals.indicators import FloatArray, compute_sma

IntArray = npt.NDArray[np.int64]
LevelKind = Literal["support", "resistance", "round", "sma50", "sma200", "high52", "low52"]
# A level's kind as a reader says it (never ``high52`` on a page or in a brief).
LEVEL_WORDS = {
    "support": "Support",
    "resistance": "Resistance",
    "sma50": "50-day average",
    "sma200": "200-day average",
    "high52": "52-week high",
    "low52": "52-week low",
    "round": "Round number",
}


def level_words(kind: str, *, capital: bool = True) -> str:
    """ "Support", "50-day average", "round number" (``capital=False``): one level kind in words."""
    words = LEVEL_WORDS.get(kind) or kind.replace("_", " ").strip().capitalize() or "Level"
    return words if capital else words[:1].lower() + words[1:]


ROUND_MANTISSAS = (1.0, 2.5, 5.0)  # round steps are these times a power of ten


@dataclass(frozen=True, slots=True)
class LevelParams:
    pivot_window: int = 21  # bars either side a swing high/low must dominate (a month)
    lookback_bars: int = 252  # bars searched for pivots and tests (a trading year)
    cluster_atr: float = 0.75  # pivots within this many ATRs of a pivot join its zone
    min_zone_atr: float = 0.25  # a zone is at least this many ATRs wide
    half_life_bars: float = 63.0  # a test this many bars old weighs half as much as one today
    break_penalty: float = 0.0  # a break costs this fraction of a touch of the same age
    max_per_side: int = 2  # supports kept below the close, resistances above
    range_bars: int = 63  # the recent range is this many bars' high-low range ...
    range_pad_atr: float = 1.0  # ... widened by this many ATRs
    max_distance_atr: float = 5.0  # and no level is farther than this from the close
    round_step_atr: float = 1.5  # a round step is at least this many ATRs


DEFAULT_PARAMS = LevelParams()


@dataclass(frozen=True, slots=True)
class LevelBar:
    bar_date: date
    high: float
    low: float
    close: float


@dataclass(frozen=True, slots=True)
class Level:
    price: float
    kind: LevelKind
    touches: int  # tests that held (module docstring, rule 3); 0 for the averages
    last_touch_date: date | None
    evidence: str  # one line a reader can check against the bars
    zone_low: float | None = None
    zone_high: float | None = None
    breaks: int = 0  # tests that broke through
    score: float | None = None  # the ranking score (rule 4)
    touch_dates: tuple[date, ...] = ()  # the date of every touch counted, oldest first


@dataclass(frozen=True, slots=True)
class _Window:
    """The lookback window as arrays, with the values every rule needs."""

    dates: tuple[date, ...]
    high: FloatArray
    low: FloatArray
    close: float
    atr: float
    bounds: tuple[float, float]  # the recent range, widened
    params: LevelParams


@dataclass(frozen=True, slots=True)
class Tests:
    """Tests of C zones over N bars (rules 3 and 4), per zone."""

    score: FloatArray
    touches: IntArray
    breaks: IntArray
    touch_index: tuple[tuple[int, ...], ...]  # bar index of each touch, oldest first


def find_levels(
    bars: Sequence[LevelBar],
    *,
    atr: float,
    sma50: float | None,
    sma200: float | None,
    limit: int = 6,
    params: LevelParams = DEFAULT_PARAMS,
) -> list[Level]:
    """Supports and resistances, round numbers and reference levels near the last close.

    Args:
        bars: Daily bars up to ``as_of``, oldest first; nothing after the last one is read.
        atr: The last 14-day ATR; sets pivot clustering, zone widths and distances.
        sma50: The 50-day average as the indicators computed it (None when too short).
        sma200: The 200-day average, likewise.
        limit: The most support and resistance levels returned (both sides together).
        params: The rules' parameters (module docstring).
    """
    if len(bars) < 2 * params.pivot_window + 1 or not atr > 0:
        return []
    look = bars[-params.lookback_bars :]
    high = np.array([b.high for b in look], dtype=np.float64)
    low = np.array([b.low for b in look], dtype=np.float64)
    win = _window(tuple(b.bar_date for b in look), high, low, look[-1].close, atr, params)
    closes = np.array([b.close for b in bars], dtype=np.float64)
    averages = {
        period: compute_sma(closes, period)[-len(look) :]
        for value, period in ((sma50, 50), (sma200, 200))
        if value is not None
    }
    pivots = find_pivots(high, low, window=params.pivot_window)
    return _levels(win, pivots, sma50=sma50, sma200=sma200, averages=averages, limit=limit)


class LevelHistory:
    """One instrument's whole series, prepared once to give ``find_levels`` at many as-of bars.

    ``levels_at(last, first=...)`` equals ``find_levels`` on the bars ``first..last``, field
    for field, without redoing per bar what the whole series already knows: the swing points
    (rule 1) are found once over the series and sliced, a swing point at bar j being known only
    from bar j + PIVOT_WINDOW on (it needs the bars after it); the 50/200-day averages can be
    passed in, computed for many windows at once (``scorecard.backtest``). Nothing after
    ``last`` is read. ``tests/technicals/test_levels_history.py`` compares both on real series.
    """

    def __init__(
        self,
        dates: Sequence[date],
        high: npt.ArrayLike,
        low: npt.ArrayLike,
        close: npt.ArrayLike,
        params: LevelParams = DEFAULT_PARAMS,
    ) -> None:
        self.dates = list(dates)
        self.high = np.asarray(high, dtype=np.float64)
        self.low = np.asarray(low, dtype=np.float64)
        self.close = np.asarray(close, dtype=np.float64)
        self.params = params
        w = params.pivot_window
        whole = find_pivots(self.high, self.low, window=w)
        # whole.index is sorted within tops and within bottoms; the condition at bar j reads
        # bars j-w..j+w only, so it is the same in any window holding them
        self._tops = whole.index[whole.is_high]
        self._bottoms = whole.index[~whole.is_high]

    def levels_at(
        self,
        last: int,
        *,
        first: int,
        atr: float,
        sma50: float | None,
        sma200: float | None,
        averages: Mapping[int, FloatArray] | None = None,
        limit: int = 6,
    ) -> list[Level]:
        """``find_levels`` on bars ``first..last`` (indices into the series, inclusive).

        ``averages``: period (50, 200) -> the ``period``-bar average of the closes
        ``first..last`` as ``compute_sma`` gives it on those closes, its last
        min(LOOKBACK_BARS, bars) values; computed here when missing.
        """
        params = self.params
        w = params.pivot_window
        if last - first + 1 < 2 * w + 1 or not atr > 0:
            return []
        lo = max(first, last + 1 - params.lookback_bars)
        high, low = self.high[lo : last + 1], self.low[lo : last + 1]
        win = _window(
            tuple(self.dates[lo : last + 1]), high, low, float(self.close[last]), atr, params
        )
        tops = self._tops[
            np.searchsorted(self._tops, lo + w, "left") : np.searchsorted(
                self._tops, last - w, "right"
            )
        ]
        bottoms = self._bottoms[
            np.searchsorted(self._bottoms, lo + w, "left") : np.searchsorted(
                self._bottoms, last - w, "right"
            )
        ]
        pivots = Pivots(
            np.concatenate([self.high[tops], self.low[bottoms]]),
            np.concatenate([tops, bottoms]).astype(np.int64) - lo,
            np.concatenate([np.ones(len(tops), np.bool_), np.zeros(len(bottoms), np.bool_)]),
        )
        given = dict(averages or {})
        for value, period in ((sma50, 50), (sma200, 200)):
            if value is not None and period not in given:
                given[period] = compute_sma(self.close[first : last + 1], period)[-len(high) :]
        return _levels(win, pivots, sma50=sma50, sma200=sma200, averages=given, limit=limit)


def _levels(
    win: _Window,
    pivots: Pivots,
    *,
    sma50: float | None,
    sma200: float | None,
    averages: Mapping[int, FloatArray],
    limit: int,
) -> list[Level]:
    chosen = _pivot_levels(win, pivots)[:limit]
    chosen += _round_levels(win, taken=chosen)
    chosen += _reference_levels(win, sma50=sma50, sma200=sma200, averages=averages)
    return [lv for lv in chosen if win.bounds[0] <= lv.price <= win.bounds[1]]


def _window(
    dates: tuple[date, ...],
    high: FloatArray,
    low: FloatArray,
    close: float,
    atr: float,
    params: LevelParams,
) -> _Window:
    """The lookback window (its dates, highs and lows) with the recent range around the close."""
    recent = slice(-params.range_bars, None)
    reach = params.max_distance_atr * atr
    bottom = max(float(low[recent].min()) - params.range_pad_atr * atr, close - reach)
    top = min(float(high[recent].max()) + params.range_pad_atr * atr, close + reach)
    return _Window(dates, high, low, close, atr, (bottom, top), params)


# ---------------------------------------------------------------- pivots and zones


@dataclass(frozen=True, slots=True)
class Pivots:
    price: FloatArray
    index: IntArray  # bar index in the window
    is_high: npt.NDArray[np.bool_]  # a swing high (else a swing low)


def find_pivots(high: FloatArray, low: FloatArray, *, window: int) -> Pivots:
    """The swing highs and lows: the extreme of ``window`` bars either side (rule 1)."""
    n = len(high)
    if n < 2 * window + 1:
        return Pivots(np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.bool_))
    inner = np.arange(window, n - window)
    tops = inner[high[inner] >= sliding_window_view(high, 2 * window + 1).max(axis=1)]
    bottoms = inner[low[inner] <= sliding_window_view(low, 2 * window + 1).min(axis=1)]
    return Pivots(
        np.concatenate([high[tops], low[bottoms]]),
        np.concatenate([tops, bottoms]).astype(np.int64),
        np.concatenate([np.ones(len(tops), np.bool_), np.zeros(len(bottoms), np.bool_)]),
    )


def _zones(
    win: _Window, pivots: FloatArray
) -> tuple[npt.NDArray[np.bool_], FloatArray, FloatArray, FloatArray]:
    """Per pivot: the pivots within CLUSTER_ATR of it, their mean and their zone (rule 2)."""
    near = np.abs(pivots[:, None] - pivots[None, :]) <= win.params.cluster_atr * win.atr
    # the mean of each row's members: np.nanmean's own sum and count, without its NaN pass
    price = np.where(near, pivots[None, :], 0.0).sum(axis=1) / near.sum(axis=1)
    half = win.params.min_zone_atr * win.atr / 2
    zone_low = np.minimum(np.where(near, pivots[None, :], np.inf).min(axis=1), price - half)
    zone_high = np.maximum(np.where(near, pivots[None, :], -np.inf).max(axis=1), price + half)
    return near, price, zone_low, zone_high


def _pivot_levels(win: _Window, pivots: Pivots) -> list[Level]:
    if not len(pivots.price):
        return []
    near, price, zone_low, zone_high = _zones(win, pivots.price)
    tests = count_tests(win.high, win.low, zone_low, zone_high, win.params)
    kept = [i for i in _suppress(tests.score, zone_low, zone_high) if tests.touches[i] >= 1]
    kept = [i for i in kept if win.bounds[0] <= price[i] <= win.bounds[1]]
    out: list[Level] = []
    for kind in ("support", "resistance"):
        side = [i for i in kept if (price[i] < win.close) == (kind == "support")]
        best = sorted(side[: win.params.max_per_side], key=lambda i: abs(win.close - price[i]))
        for i in best:
            rule = _pivot_rule(win, pivots, near[i])
            zone = (price[i], zone_low[i], zone_high[i])
            out.append(_tested_level(win, tests, i, zone, kind, rule))
    return out


def _pivot_rule(win: _Window, pivots: Pivots, members: npt.NDArray[np.bool_]) -> str:
    """'swing lows on D1, D2 and a swing high on D3 within 0.75 ATR': the pivots of a zone."""
    parts = []
    for is_high, name in ((False, "low"), (True, "high")):
        days = sorted(win.dates[j] for j in pivots.index[members & (pivots.is_high == is_high)])
        if days:
            plural = f"swing {name}s" if len(days) > 1 else f"a swing {name}"
            parts.append(f"{plural} on {', '.join(str(d) for d in days)}")
    return f"{' and '.join(parts)} within {win.params.cluster_atr:g} ATR"


def _suppress(score: FloatArray, zone_low: FloatArray, zone_high: FloatArray) -> list[int]:
    """Zone indices best score first, dropping any zone that overlaps one already kept."""
    kept: list[int] = []
    for i in sorted(range(len(score)), key=lambda i: (-score[i], zone_low[i])):
        if all(zone_low[i] > zone_high[k] or zone_high[i] < zone_low[k] for k in kept):
            kept.append(i)
    return kept


def _tested_level(
    win: _Window,
    tests: Tests,
    i: int,
    zone: tuple[float, float, float],
    kind: LevelKind,
    rule: str,
) -> Level:
    price, low, high = (float(v) for v in zone)
    dates = tuple(win.dates[j] for j in tests.touch_index[i])
    touches, breaks, score = int(tests.touches[i]), int(tests.breaks[i]), float(tests.score[i])
    why = (
        f"{rule}; {low:,.2f}-{high:,.2f} tested and held {_times(touches)} (last {dates[-1]}), "
        f"broken {_times(breaks)} in {len(win.dates)} bars; score {score:.2f}"
    )
    return Level(price, kind, touches, dates[-1], why, low, high, breaks, score, dates)


def _times(n: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(n, f"{n} times")


# ---------------------------------------------------------------- tests of a zone


def count_tests(
    high: FloatArray,
    low: FloatArray,
    zone_low: FloatArray,
    zone_high: FloatArray,
    params: LevelParams = DEFAULT_PARAMS,
) -> Tests:
    """Touches, breaks and the recency-weighted score of each zone over the bars (rules 3, 4).

    A zone is fixed (``zone_low`` of shape (C,)) or moves with the bars (shape (C, N): an
    average's zone).
    """
    n, c = len(high), len(zone_low)
    zone_low, zone_high = zone_low.reshape(c, -1), zone_high.reshape(c, -1)
    inside = (low[None, :] <= zone_high) & (high[None, :] >= zone_low)
    padded = np.zeros((c, n + 2), dtype=np.bool_)
    padded[:, 1:-1] = inside
    # each row's changes alternate: a run's first bar, then one past its last bar
    rows, cols = np.nonzero(padded[:, 1:] != padded[:, :-1])
    rows, starts, ends = rows[0::2], cols[0::2], cols[1::2]
    done = ends < n  # a run still open at the last bar has no outcome yet
    rows, starts, ends = rows[done], starts[done], ends[done]
    # which side of the zone the bar before and the bar after the run are on (above or not)
    moving = zone_high.shape[1] > 1
    ahead = np.maximum(starts - 1, 0)
    before = low[ahead] > zone_high[rows, ahead if moving else 0]
    after = low[ends] > zone_high[rows, ends if moving else 0]
    held = (starts == 0) | (before == after)
    weight = 0.5 ** ((n - ends) / params.half_life_bars)
    score: FloatArray = np.bincount(rows, weights=weight * held, minlength=c).astype(np.float64)
    score = score - params.break_penalty * np.bincount(rows, weights=weight * ~held, minlength=c)
    touch_index: list[list[int]] = [[] for _ in range(c)]
    for row, last in zip(rows[held].tolist(), (ends[held] - 1).tolist(), strict=True):
        touch_index[row].append(last)
    return Tests(
        score,
        np.bincount(rows[held], minlength=c).astype(np.int64),
        np.bincount(rows[~held], minlength=c).astype(np.int64),
        tuple(tuple(t) for t in touch_index),
    )


# ---------------------------------------------------------------- round numbers


def find_round_step(*, price: float, atr: float, params: LevelParams = DEFAULT_PARAMS) -> float:
    """The smallest of 1, 2.5 or 5 times a power of ten that is at least ROUND_STEP_ATR ATR."""
    target = max(params.round_step_atr * atr, abs(price) * 1e-4)
    power = 10.0 ** math.floor(math.log10(target))
    return next(m * power for m in (*ROUND_MANTISSAS, 10.0) if m * power >= target * (1 - 1e-12))


def _round_levels(win: _Window, *, taken: Sequence[Level]) -> list[Level]:
    step = find_round_step(price=win.close, atr=win.atr, params=win.params)
    below = math.floor(win.close / step) * step
    prices = [
        p
        for p in (below, below + step)
        if win.bounds[0] <= p <= win.bounds[1] and not _inside_any(p, taken)
    ]
    if not prices:
        return []
    half = win.params.min_zone_atr * win.atr / 2
    centre = np.array(prices)
    tests = count_tests(win.high, win.low, centre - half, centre + half, win.params)
    rule = f"round number (multiple of {step:,g})"
    return [
        _tested_level(win, tests, i, (p, p - half, p + half), "round", rule)
        for i, p in enumerate(prices)
        if tests.touches[i] >= 1  # no evidence, no level: never tested and held in the lookback
    ]


def _inside_any(price: float, levels: Sequence[Level]) -> bool:
    return any(
        lv.zone_low is not None
        and lv.zone_high is not None
        and lv.zone_low <= price <= lv.zone_high
        for lv in levels
    )


# ---------------------------------------------------------------- reference levels


def _reference_levels(
    win: _Window,
    *,
    sma50: float | None,
    sma200: float | None,
    averages: Mapping[int, FloatArray],
) -> list[Level]:
    n = len(win.dates)
    i_hi, i_lo = int(np.argmax(win.high)), int(np.argmin(win.low))
    hi_day, lo_day = win.dates[i_hi], win.dates[i_lo]
    out = [
        Level(
            float(win.high[i_hi]),
            "high52",
            1,
            hi_day,
            f"highest high of the last {n} bars, on {hi_day}",
            touch_dates=(hi_day,),
        ),
        Level(
            float(win.low[i_lo]),
            "low52",
            1,
            lo_day,
            f"lowest low of the last {n} bars, on {lo_day}",
            touch_dates=(lo_day,),
        ),
    ]
    named: tuple[tuple[float | None, int, LevelKind], ...] = (
        (sma50, 50, "sma50"),
        (sma200, 200, "sma200"),
    )
    for value, period, kind in named:
        if value is not None:
            out.append(_average_level(win, value, averages[period], period, kind))
    return out


def _average_level(
    win: _Window, value: float, series: FloatArray, period: int, kind: LevelKind
) -> Level:
    """A moving average as a level; its tests are against the average of each bar's day
    (``series``: the average on each bar of the lookback window)."""
    n = len(win.dates)
    first = int(np.argmax(~np.isnan(series))) if not np.isnan(series).all() else n
    half = win.params.min_zone_atr * win.atr / 2
    tests = count_tests(
        win.high[first:],
        win.low[first:],
        (series[first:] - half)[None, :],
        (series[first:] + half)[None, :],
        win.params,
    )
    dates = tuple(win.dates[first + j] for j in tests.touch_index[0])
    touches, breaks = int(tests.touches[0]), int(tests.breaks[0])
    why = f"mean close of the last {period} bars"
    if dates:
        why += (
            f"; the average ± {half:,.2f} tested and held {_times(touches)} (last {dates[-1]}), "
            f"broken {_times(breaks)} in {n - first} bars"
        )
    last = dates[-1] if dates else None
    # no zone_low/zone_high: the band moves with the average (the why gives its width)
    return Level(value, kind, touches, last, why, None, None, breaks, None, dates)
