"""Time-major kernels for the indicators (pure numpy): recursions, window sums, seeds, masks.

Arrays here are (bars, instruments), C-ordered, so one bar of every instrument is one
contiguous row. A recursion such as an EMA then costs one vectorized step per bar across all
instruments at once; there is no Python loop per instrument and no per-bar work per instrument.
Each instrument (column) may start later than row 0 (leading NaN, a shorter history): its
``start`` is the first row where its inputs are all present, as in TA-Lib's Python wrapper.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

PERCENTILE_CHUNK = 64  # instruments per block in the rank count: keeps a block in L2 cache
NARROW = 64  # columns at most for the segment form of a recursion (see apply_recursion)
SEGMENT = 64  # rows per segment there
FEW_RANKS = 256  # ranks wanted at most, for one broadcast comparison instead of a lag loop


def as_time_major(values: npt.ArrayLike) -> FloatArray:
    """(bars,) or (instruments, bars) -> (bars, instruments), C-ordered float64.

    Free for a 1-D input and for a Fortran-ordered 2-D input (the transpose is a view);
    a C-ordered (instruments, bars) input is copied once.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        return arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"expected (bars,) or (instruments, bars), got shape {arr.shape}")
    return np.ascontiguousarray(arr.T)


def from_time_major(out: FloatArray, *, like: npt.ArrayLike) -> FloatArray:
    """Back to the caller's shape: (bars,) for a 1-D input, else (instruments, bars)."""
    return out[:, 0] if np.ndim(like) == 1 else out.T


def find_starts(*arrays: FloatArray) -> IntArray:
    """Per column, the first row where every array is non-NaN (the row count when none is)."""
    n_rows, n_cols = arrays[0].shape
    starts = np.zeros(n_cols, dtype=np.intp)
    if n_rows == 0:
        return starts
    late = np.zeros(n_cols, dtype=np.bool_)
    for arr in arrays:
        late |= np.isnan(arr[0])
    if late.any():  # only instruments missing the first bar need a scan
        cols = np.flatnonzero(late)
        present = ~np.isnan(arrays[0][:, cols])
        for arr in arrays[1:]:
            present &= ~np.isnan(arr[:, cols])
        first = np.argmax(present, axis=0)
        starts[cols] = np.where(present[first, np.arange(cols.size)], first, n_rows)
    return starts


def blank_before(out: FloatArray, rows: IntArray) -> FloatArray:
    """Set out[t, j] = NaN for t < rows[j] (in place), the TA-Lib lookback convention."""
    _fill_before(out, rows, np.nan)
    return out


def _fill_before(out: FloatArray, rows: IntArray, value: float) -> None:
    if rows.size == 0:
        return
    if np.all(rows == rows[0]):
        out[: int(rows[0])] = value
        return
    mask = np.arange(out.shape[0])[:, None] < rows[None, :]
    np.copyto(out, value, where=mask)


def compute_seed_means(x: FloatArray, end_rows: IntArray, period: int) -> FloatArray:
    """Per column, the mean of ``x`` over the ``period`` rows ending at ``end_rows`` (inclusive).

    Columns whose window does not fit get an arbitrary value; callers blank them.
    """
    rows = end_rows[None, :] - period + 1 + np.arange(period)[:, None]
    np.clip(rows, 0, x.shape[0] - 1, out=rows)
    window = x[rows, np.arange(x.shape[1])[None, :]]
    means: FloatArray = np.add.reduce(window, axis=0) / period  # row after row, as TA-Lib
    return means


def apply_recursion(u: FloatArray, factor: float | FloatArray) -> FloatArray:
    """In place: u[t] += factor * u[t-1] for t >= 1, i.e. y[t] = factor*y[t-1] + u[t].

    ``factor`` is a scalar or one value per column. An EMA or Wilder average whose input is
    zero before its seed row and the seed at that row. A NaN input makes that row and every
    later row NaN, as a running average would. Wide batches take one vectorized step per row;
    narrow ones (one instrument) a scaled running sum per segment of rows, far fewer calls.
    """
    if u.shape[0] < 2:
        return u
    factors = np.broadcast_to(np.asarray(factor, dtype=np.float64), u.shape[1:])
    if u.shape[1] <= NARROW and factors.min() > 0.0 and factors.max() < 1.0:
        return _recursion_by_segments(u, factors)
    tmp = np.empty(u.shape[1:], dtype=np.float64)
    prev = u[0]
    for t in range(1, u.shape[0]):
        row = u[t]
        np.multiply(prev, factors, out=tmp)
        np.add(row, tmp, out=row)
        prev = row
    return u


def _recursion_by_segments(u: FloatArray, factors: FloatArray) -> FloatArray:
    """The recursion as y[k0+i] = f^i * (f*y[k0-1] + sum_{j<=i} u[k0+j] / f^j) per segment.

    The segment is short enough that 1/f^j stays below 1e100; the sum is dominated by its
    latest terms, so rounding stays near the recursion's own (about eps / (1 - f)).
    """
    seg = max(1, min(SEGMENT, int(100.0 / -math.log10(float(factors.min())))))
    down = factors[None, :] ** np.arange(seg, dtype=np.float64)[:, None]  # f^j
    up = 1.0 / down
    carry = np.zeros(u.shape[1])
    for k0 in range(0, u.shape[0], seg):
        block = u[k0 : k0 + seg]
        m = block.shape[0]
        block *= up[:m]
        np.cumsum(block, axis=0, out=block)
        block += carry * factors
        block *= down[:m]
        carry = block[-1].copy()
    return u


@dataclass(frozen=True, slots=True)
class Smoothing:
    """One seeded running average: y[t] = factor*y[t-1] + weight*x[t] after ``seed_rows``,
    where y is the mean of the ``period`` values of x ending at the seed row; NaN before."""

    x: FloatArray
    period: int
    factor: float
    weight: float
    seed_rows: IntArray

    @classmethod
    def ema(cls, x: FloatArray, period: int, seed_rows: IntArray) -> Smoothing:
        k = 2.0 / (period + 1)  # TA-Lib's PER_TO_K
        return cls(x, period, 1.0 - k, k, seed_rows)

    @classmethod
    def wilder(cls, x: FloatArray, period: int, seed_rows: IntArray) -> Smoothing:
        return cls(x, period, (period - 1) / period, 1.0 / period, seed_rows)


def run_smoothings(*specs: Smoothing) -> list[FloatArray]:
    """Run several smoothings of same-shaped inputs as one recursion (one step per bar for
    all of them), returning one (bars, instruments) array (a view) per spec."""
    n_rows, n_cols = specs[0].x.shape
    u = np.empty((n_rows, len(specs) * n_cols), dtype=np.float64)
    factors = np.empty(len(specs) * n_cols, dtype=np.float64)
    blocks = [u[:, i * n_cols : (i + 1) * n_cols] for i in range(len(specs))]
    for i, (spec, block) in enumerate(zip(specs, blocks, strict=True)):
        np.multiply(spec.x, spec.weight, out=block)
        _fill_before(block, spec.seed_rows + 1, 0.0)
        fits = spec.seed_rows < n_rows
        seeds = compute_seed_means(spec.x, spec.seed_rows, spec.period)
        block[spec.seed_rows[fits], np.flatnonzero(fits)] = seeds[fits]
        factors[i * n_cols : (i + 1) * n_cols] = spec.factor
    apply_recursion(u, factors)
    return [blank_before(block, spec.seed_rows) for spec, block in zip(specs, blocks, strict=True)]


@dataclass(frozen=True, slots=True)
class ShiftedSums:
    """Prefix sums (rows 0..T) of x - ref and of its square, ref = each column's first value.

    Shifting by the first value keeps the sums small, so window sums taken as differences of
    prefix sums lose little precision on long price series, and a flat window sums to exactly
    zero. Rows before a column's start add 0.
    """

    ref: FloatArray
    sums: FloatArray
    squares: FloatArray


def compute_shifted_sums(x: FloatArray, starts: IntArray) -> ShiftedSums:
    n_rows, n_cols = x.shape
    ref = reference_values(x, starts)
    d = np.empty((n_rows, 2 * n_cols), dtype=np.float64)
    np.subtract(x, ref, out=d[:, :n_cols])
    _fill_before(d[:, :n_cols], starts, 0.0)
    np.multiply(d[:, :n_cols], d[:, :n_cols], out=d[:, n_cols:])
    out = np.empty((n_rows + 1, 2 * n_cols), dtype=np.float64)
    out[0] = 0.0
    for t in range(n_rows):  # row by row: numpy's cumsum along axis 0 is slower here
        np.add(out[t], d[t], out=out[t + 1])
    return ShiftedSums(ref, out[:, :n_cols], out[:, n_cols:])


def reference_values(x: FloatArray, starts: IntArray) -> FloatArray:
    """Each column's first present value (0 for an empty column)."""
    if x.shape[0] == 0:
        return np.zeros(x.shape[1])
    rows = np.minimum(starts, x.shape[0] - 1)
    return np.where(starts < x.shape[0], x[rows, np.arange(x.shape[1])], 0.0)


def window_means(prefix: FloatArray, period: int) -> FloatArray:
    """Mean over the last ``period`` rows from prefix sums; rows before period-1 are NaN."""
    n_rows = prefix.shape[0] - 1
    out = np.full((n_rows, prefix.shape[1]), np.nan)
    if 0 < period <= n_rows:
        np.subtract(prefix[period:], prefix[:-period], out=out[period - 1 :])
        out[period - 1 :] /= period
    return out


def iter_rolling_max(x: FloatArray, window: int) -> Iterator[tuple[int, FloatArray]]:
    """Max over the last ``window`` rows, one segment of ``window`` rows at a time.

    Yields (first row of the segment, its rows of the rolling max). van Herk / Gil-Werman: a
    running max forward through each segment and one backward through the previous segment
    give every window's max with one comparison more, whatever the window; the segment's
    buffers stay in cache. Rows before window-1 are NaN; a NaN in a window makes that window
    NaN. The yielded array is reused: use it before asking for the next.
    """
    n_rows, n_cols = x.shape
    prefix = np.empty((window, n_cols))
    suffix = np.full((window + 1, n_cols), -np.inf)  # the previous segment's, plus a -inf row
    peak = np.empty((window, n_cols))
    for k0 in range(0, n_rows, window):
        seg = x[k0 : k0 + window]
        m = seg.shape[0]
        prefix[0] = seg[0]
        for i in range(1, m):
            np.maximum(prefix[i - 1], seg[i], out=prefix[i])
        rows = peak[:m]
        if k0 == 0:  # no earlier segment: only its last row has a full window
            rows[:] = np.nan
            rows[window - 1 :] = prefix[window - 1 : m]
        else:  # window of row k0+i: the previous segment from row i+1 on, then this one to i
            np.maximum(suffix[1 : m + 1], prefix[:m], out=rows)
        yield k0, rows
        if m == window:
            suffix[m - 1] = seg[m - 1]
            for i in range(m - 2, -1, -1):
                np.maximum(suffix[i + 1], seg[i], out=suffix[i])


def compute_rolling_max(x: FloatArray, window: int) -> FloatArray:
    """Max over the last ``window`` rows (see iter_rolling_max); NaN before row window-1."""
    out = np.full(x.shape, np.nan)
    if window <= 0:
        return out
    for k0, rows in iter_rolling_max(x, window):
        out[k0 : k0 + rows.shape[0]] = rows
    return out


def compute_rolling_rank(x: FloatArray, window: int, first_rows: IntArray) -> FloatArray:
    """Per row, how many of the last ``window`` values (itself included) are <= it.

    NaN before ``first_rows`` (per column, the first row with a full window). Exact
    comparisons, one vectorized pass per lag over blocks of instruments small enough for cache.
    """
    n_rows, n_cols = x.shape
    out = np.full(x.shape, np.nan)
    row0 = int(first_rows.min()) if n_cols else n_rows
    if window <= 0 or row0 >= n_rows:
        return out
    if (n_rows - row0) * n_cols <= FEW_RANKS:  # a snapshot's last bar: one comparison call
        windows = np.lib.stride_tricks.sliding_window_view(x[row0 - window + 1 :], window, axis=0)
        counts = np.count_nonzero(windows <= x[row0:, :, None], axis=2)
        out[row0:] = np.where(np.isnan(x[row0:]), np.nan, counts)
        return blank_before(out, first_rows)
    for j0 in range(0, n_cols, PERCENTILE_CHUNK):
        j1 = min(j0 + PERCENTILE_CHUNK, n_cols)
        block = np.ascontiguousarray(x[row0 - window + 1 :, j0:j1])
        out[row0:, j0:j1] = _count_at_or_below(block, window)
    return blank_before(out, first_rows)


def _count_at_or_below(block: FloatArray, window: int) -> FloatArray:
    """Rows window-1.. of ``block``: count of the last ``window`` values <= the current one."""
    current = block[window - 1 :]
    small = window <= np.iinfo(np.uint8).max  # same-type uint8 adds are the fast loop
    counts = np.ones(current.shape, dtype=np.uint8 if small else np.uint16)  # itself
    hit = np.empty(current.shape, dtype=np.bool_)
    step = hit.view(np.uint8) if small else hit
    for lag in range(1, window):
        np.less_equal(block[window - 1 - lag : block.shape[0] - lag], current, out=hit)
        np.add(counts, step, out=counts, casting="unsafe")
    result = counts.astype(np.float64)
    result[np.isnan(current)] = np.nan
    return result
