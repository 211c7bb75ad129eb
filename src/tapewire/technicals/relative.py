"""Cross-instrument technicals (pure): relative strength and the spread of a pair, breadth of an
index's stored constituents, and the volatility regime from ^VIX.

Every function takes bars already cut at ``as_of`` (oldest first) and returns plain numbers, or
None where the history is too short to say anything (no data, no claim).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from tapewire.technicals.indicators import compute_sma

RS_DAYS = 20  # relative strength: change of the price ratio over this many common sessions
SPREAD_DAYS = 60  # the pair spread's z-score: log ratio against its mean and stdev over this window
BREADTH_SMA_DAYS = 50  # breadth: share of constituents closing above their 50-day average
BREADTH_MIN_MEMBERS = 5  # fewer stored constituents than this say nothing about an index
VIX_PCTILE_DAYS = 252  # the VIX level's percentile over one year of sessions


@dataclass(frozen=True, slots=True)
class Relative:
    """One instrument against another (its benchmark, or the other leg of a pair)."""

    sessions: int  # common sessions the figures rest on
    ratio: float  # last close / the other's last close
    rs20_pct: float | None  # % change of the ratio over RS_DAYS sessions: > 0 outperformed
    spread_z60: float | None  # z-score of log(ratio) over SPREAD_DAYS sessions


@dataclass(frozen=True, slots=True)
class Breadth:
    members: int  # constituents with enough bars
    above: int  # of them, closing above their 50-day average
    pct_above: float  # 100 * above / members
    bar_date: date  # the constituents' common last bar


@dataclass(frozen=True, slots=True)
class VolRegime:
    vix: float
    vix_pctile: float | None  # 0-100 over the last year, None with under a year of bars
    bar_date: date


def compute_relative(
    dates_a: Sequence[date],
    close_a: Sequence[float],
    dates_b: Sequence[date],
    close_b: Sequence[float],
) -> Relative | None:
    """A against B on the sessions both traded; None without a common last session."""
    b_by_date = dict(zip(dates_b, close_b, strict=True))
    pairs = [(a, b_by_date[d]) for d, a in zip(dates_a, close_a, strict=True) if d in b_by_date]
    if len(pairs) < 2 or dates_a[-1] != dates_b[-1]:
        return None  # the legs end on different sessions: comparing them would mix days
    ratio = np.array([a / b for a, b in pairs], dtype=np.float64)
    rs = None
    if len(ratio) > RS_DAYS:
        rs = float(ratio[-1] / ratio[-1 - RS_DAYS] - 1.0) * 100.0
    z = None
    if len(ratio) >= SPREAD_DAYS:
        window = np.log(ratio[-SPREAD_DAYS:])
        std = float(window.std())
        z = float((window[-1] - window.mean()) / std) if std > 0 else 0.0
    return Relative(len(pairs), float(ratio[-1]), rs, z)


def compute_breadth(members: Sequence[tuple[Sequence[date], Sequence[float]]]) -> Breadth | None:
    """Share of constituents above their 50-day average on the latest session they share.

    A constituent counts only when its last bar is that session and it has 50 bars; with fewer
    than ``BREADTH_MIN_MEMBERS`` such constituents there is no breadth figure.
    """
    usable = [(d, c) for d, c in members if len(c) >= BREADTH_SMA_DAYS]
    if len(usable) < BREADTH_MIN_MEMBERS:
        return None
    last = max(d[-1] for d, _ in usable)
    current = [c for d, c in usable if d[-1] == last]
    if len(current) < BREADTH_MIN_MEMBERS:
        return None
    above = 0
    for closes in current:
        series = np.asarray(closes, dtype=np.float64)
        sma = compute_sma(series, BREADTH_SMA_DAYS)[-1]
        above += int(series[-1] > sma)
    return Breadth(len(current), above, 100.0 * above / len(current), last)


def compute_vol_regime(dates: Sequence[date], closes: Sequence[float]) -> VolRegime | None:
    """The VIX's last close and its one-year percentile (signals.risk names the regime)."""
    if not closes:
        return None
    vix = float(closes[-1])
    pctile = None
    if len(closes) >= VIX_PCTILE_DAYS:
        year = np.asarray(closes[-VIX_PCTILE_DAYS:], dtype=np.float64)
        pctile = float(100.0 * np.mean(year <= vix))
    return VolRegime(vix, pctile, dates[-1])


class RelativeHistory:
    """A against B over their whole series, prepared once to give ``compute_relative``'s
    ``rs20_pct`` for many pairs of windows (the backtest: one per session).

    ``rs20_at`` equals ``compute_relative`` on A's bars ``a_first..a_last`` and B's bars
    ``b_first..b_last`` (indices, inclusive), float for float: the common sessions of the two
    windows are a contiguous run of the sessions the whole series share, and each ratio is
    computed once, as there. Nothing after either window is read.
    """

    def __init__(
        self,
        dates_a: Sequence[date],
        close_a: Sequence[float],
        dates_b: Sequence[date],
        close_b: Sequence[float],
    ) -> None:
        b_index = {d: j for j, d in enumerate(dates_b)}
        common = [(k, b_index[d]) for k, d in enumerate(dates_a) if d in b_index]
        self._a = np.array([k for k, _ in common], dtype=np.int64)  # increasing
        self._b = np.array([j for _, j in common], dtype=np.int64)  # increasing too
        self._ratio = [close_a[k] / close_b[j] for k, j in common]
        self._dates_a, self._dates_b = dates_a, dates_b

    def rs20_at(
        self, a_first: int, a_last: int, b_first: int, b_last: int
    ) -> tuple[bool, float | None]:
        """(whether compute_relative gives a Relative at all, its rs20_pct)."""
        if self._dates_a[a_last] != self._dates_b[b_last]:
            return False, None
        lo = max(
            int(np.searchsorted(self._a, a_first, "left")),
            int(np.searchsorted(self._b, b_first, "left")),
        )
        hi = min(
            int(np.searchsorted(self._a, a_last, "right")),
            int(np.searchsorted(self._b, b_last, "right")),
        )
        if hi - lo < 2:
            return False, None
        if hi - lo <= RS_DAYS:
            return True, None
        now, then = self._ratio[hi - 1], self._ratio[hi - 1 - RS_DAYS]
        return True, float(np.float64(now) / np.float64(then) - 1.0) * 100.0
