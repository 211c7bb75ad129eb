"""Price sanity: splits and bad ticks are found before indicators read a series (pure).

A 2:1 split in a raw CSV reads as "down 50% over 20 sessions"; one bad tick (a close or a high
ten times the day's) quadruples the 14-day ATR. ``screen`` looks at each bar against the
instrument's own recent true range (a median, so one bad bar cannot hide another) and against
the benchmark on the same day:

- **bad tick**: a close far outside the recent range that the next bar takes back, or a wick
  (high above / low below the body and the prior close) of many median true ranges. The bar is
  left out of the series.
- **split**: an overnight gap of many true ranges whose size is a split ratio (2:1, 3:1, 3:2,
  1:2 ...), that holds on the following bars, while the benchmark did not move. No indicators
  are computed on a series holding an unconfirmed split: the technicals stage reports the reason
  and the newsroom writes no brief on it.

Suspect bars are flagged on the ``bar`` table (``sanity``). A person confirms a flag with
``tapewire prices confirm SYMBOL DATE`` (``sanity_ok``): a confirmed split back-adjusts the bars
before it by the ratio; a confirmed tick is used as it is (it was real).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise
from statistics import median
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from tapewire.market.models import Bar
from tapewire.market.queries import BarView
from tapewire.store import Store

WINDOW = 20  # bars of true range the median reference is taken over
MIN_REFERENCE = 5  # bars needed before a bar can be judged
GAP_RANGES = 6.0  # a gap or spike of this many median true ranges is suspect ...
MIN_GAP = 0.15  # ... and of at least this fraction of the price
WICK_RANGES = 10.0  # a wick beyond the body and prior close of this many median true ranges
REVERT = 0.5  # a tick: the next close is back within this fraction of the jump
RATIO_TOLERANCE = 0.03  # a gap within 3% of a split ratio
BENCH_SHARE = 0.25  # the benchmark moved less than this share of the gap the same day
SPLIT_RATIOS = (2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 20.0)  # and their reverse splits (1:2 ...)


@dataclass(frozen=True, slots=True)
class Screen:
    """The series indicators may read, what looked wrong, and whether indicators must wait."""

    bars: list[BarView]  # ticks left out, confirmed splits back-adjusted
    flags: dict[date, str] = field(default_factory=dict)  # newly suspect bars and why
    blocked: str | None = None  # an unconfirmed split in the series: no indicators until confirmed
    pending: dict[date, str] = field(default_factory=dict)  # the last bar jumped: left out of
    # this run, not flagged (the next bar tells a bad tick, taken back, from a real move)


def _true_range(bar: BarView, prev_close: float) -> float:
    return max(bar.high, prev_close) - min(bar.low, prev_close)


def split_ratio(prev_close: float, new_open: float) -> float | None:
    """The split ratio (old price / new price) a gap matches, or None."""
    if prev_close <= 0 or new_open <= 0:
        return None
    ratio = prev_close / new_open
    for k in SPLIT_RATIOS:
        for candidate in (k, 1 / k):
            if abs(ratio / candidate - 1) <= RATIO_TOLERANCE:
                return candidate
    return None


def ratio_text(ratio: float) -> str:
    """2.0 → '2:1' (a split), 0.5 → '1:2' (a reverse split), 1.5 → '3:2'."""
    for den in (1, 2, 3):
        num = ratio * den
        if abs(num - round(num)) < 0.05:
            return f"{round(num)}:{den}"
        inv = den / ratio
        if abs(inv - round(inv)) < 0.05:
            return f"{den}:{round(inv)}"
    return f"{ratio:.3g}:1"


def _bench_moves(bench: Sequence[BarView] | None) -> dict[date, float]:
    if not bench:
        return {}
    return {b.bar_date: b.close / a.close - 1 for a, b in pairwise(bench) if a.close}


def screen(
    bars: Sequence[BarView],
    *,
    bench: Sequence[BarView] | None = None,
    reviewed: Sequence[tuple[date, str, bool]] = (),
    symbol: str = "SYMBOL",
    judge_all: bool = False,
) -> Screen:
    """Screen ``bars`` (oldest first). ``reviewed`` holds the bars already flagged in the store:
    (date, reason, confirmed); they are not flagged again, and confirmed ones are applied.

    ``judge_all``: run the loop over every bar, not from the first bar that can be suspect
    (``_first_suspect``); the result is the same (tests/market/test_screen_skip.py)."""
    known = {day: (reason, ok) for day, reason, ok in reviewed}
    flags: dict[date, str] = {}
    pending: dict[date, str] = {}
    ticks: set[date] = set()
    splits: list[tuple[date, float, str, bool]] = []  # (date, ratio, reason, confirmed)
    begun = _loop_start(bars, known, judge_all=judge_all)
    if begun is None:  # no bar can be judged suspect, none is flagged: all kept as they are
        return Screen(list(bars), flags, None, pending)
    start, prev, ranges = begun
    moves = _bench_moves(bench)
    for i in range(start, len(bars)):
        bar = bars[i]
        verdict = _judge(bars, i, prev, ranges, moves)
        day = bar.bar_date
        if day in known:
            reason, ok = known[day]
            verdict = (reason, _kind(reason), ok)
        if verdict is not None and verdict[1] == "pending":
            pending[day] = verdict[0]
            ticks.add(day)
            continue
        if verdict is not None:
            reason, kind, ok = verdict
            if day not in known:
                flags[day] = reason
            if kind == "split":
                ratio = _ratio_of(reason)
                if ratio is not None:
                    splits.append((day, ratio, reason, ok))
                    ranges.clear()  # the range before a split is in other units
                    prev = bar
                    continue
            elif not ok:
                ticks.add(day)
                continue  # a tick is neither a reference nor the next bar's prior close
        ranges.append(_true_range(bar, prev.close))
        del ranges[:-WINDOW]
        prev = bar
    unconfirmed = [s for s in splits if not s[3]]
    if unconfirmed:
        day, _, reason, _ = unconfirmed[-1]
        return Screen(
            [b for b in bars if b.bar_date not in ticks],
            flags,
            f"{reason} on {day.isoformat()}: no indicators until it is confirmed "
            f"(tapewire prices confirm {symbol} {day.isoformat()})",
            pending,
        )
    if not splits:  # _adjusted would return every bar as it is
        return Screen([b for b in bars if b.bar_date not in ticks], flags, None, pending)
    usable = [_adjusted(b, splits) for b in bars if b.bar_date not in ticks]
    return Screen(usable, flags, None, pending)


def _loop_start(
    bars: Sequence[BarView], known: dict[date, tuple[str, bool]], *, judge_all: bool
) -> tuple[int, BarView, list[float]] | None:
    """Where ``screen``'s loop starts, with its state there: the index, the prior bar and the
    true ranges of reference. Before the first suspect bar every verdict is None, so each
    bar's prior is the bar before it and every true range counts. None: nothing to judge."""
    if len(bars) < 2:
        return None
    start = 1 if judge_all else _first_suspect(bars, known)
    if start is None:
        return None
    ranges = [_true_range(bars[i], bars[i - 1].close) for i in range(1, start)][-WINDOW:]
    return start, bars[start - 1], ranges


def _first_suspect(bars: Sequence[BarView], known: dict[date, tuple[str, bool]]) -> int | None:
    """The first index ``i >= 1`` where the loop of ``screen`` may not just keep the bar: bar
    ``i`` passes ``_judge``'s first test against bar ``i - 1`` (a gap or wick above the
    thresholds, the same float operations on numpy arrays) or is a flagged bar. Before it every
    verdict is None, so each bar's prior is the bar before it (issue #16: the loop judged every
    bar of every instrument on every pass). 1 (judge all) when a price is not finite, where
    numpy's max and Python's differ; None when no bar qualifies."""
    import numpy as np

    n = len(bars)
    if n < 2:
        return None
    ohlc = np.array([(b.open, b.high, b.low, b.close) for b in bars], dtype=np.float64)
    if not np.isfinite(ohlc).all():
        return 1
    o, h, lo, c = ohlc[1:, 0], ohlc[1:, 1], ohlc[1:, 2], ohlc[1:, 3]
    pc = ohlc[:-1, 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        gap_pct = np.abs(c - pc) / pc
        wick = np.maximum(
            h - np.maximum(np.maximum(o, c), pc), np.minimum(np.minimum(o, c), pc) - lo
        )
        suspect = (pc > 0) & ((gap_pct > MIN_GAP) | (wick / pc > MIN_GAP / 3))
    first = int(np.argmax(suspect)) + 1 if suspect.any() else None
    for i in range(1, n if first is None else first):
        if bars[i].bar_date in known:
            return i
    return first


def screen_stored(
    store: Store,
    instrument_id: int,
    bars: Sequence[BarView],
    *,
    bench: Sequence[BarView] | None = None,
    symbol: str = "SYMBOL",
    flags: Sequence[tuple[date, str, bool]] | None = None,
) -> Screen:
    """The technicals stage's one call: ``screen`` with the bars' stored flags, and new suspect
    bars flagged on the ``bar`` table (a flag is written once; acceptance is a person's).

    ``flags``: the instrument's flagged bars (``flags_of``) when the caller read them for many
    instruments at once, covering at least the bars' dates; None reads them here."""
    if not bars:
        return Screen(list(bars))
    first, last = bars[0].bar_date, bars[-1].bar_date
    if flags is not None:
        reviewed = [f for f in flags if first <= f[0] <= last]
    else:
        with store.read() as s:
            rows = s.execute(
                select(Bar.bar_date, Bar.sanity, Bar.sanity_ok).where(
                    Bar.instrument_id == instrument_id,
                    Bar.interval == "1d",
                    Bar.sanity.is_not(None),
                    Bar.bar_date >= first,
                    Bar.bar_date <= last,
                )
            ).all()
        reviewed = [(d, str(r), bool(ok)) for d, r, ok in rows]
    result = screen(bars, bench=bench, reviewed=reviewed, symbol=symbol)
    if result.flags:
        with store.write() as s:
            for day, reason in result.flags.items():
                s.execute(
                    update(Bar)
                    .where(
                        Bar.instrument_id == instrument_id,
                        Bar.interval == "1d",
                        Bar.bar_date == day,
                        Bar.sanity.is_(None),
                    )
                    .values(sanity=reason[:255])
                )
    return result


def accept_bar(s: Session, instrument_id: int, day: date) -> str | None:
    """Accept the flagged bar of ``day`` (a person's review); returns its flag, None if unflagged."""
    row = s.scalars(
        select(Bar).where(
            Bar.instrument_id == instrument_id, Bar.interval == "1d", Bar.bar_date == day
        )
    ).first()
    if row is None or row.sanity is None:
        return None
    row.sanity_ok = True
    return row.sanity


def _judge(
    bars: Sequence[BarView],
    i: int,
    prev: BarView,
    ranges: list[float],
    moves: dict[date, float],
) -> tuple[str, str, bool] | None:
    """(reason, kind, confirmed=False) when bar ``i`` looks wrong, else None."""
    if len(ranges) < MIN_REFERENCE or prev.close <= 0:
        return None
    bar = bars[i]
    jump = bar.close - prev.close
    gap_pct = abs(jump) / prev.close
    body_high = max(bar.open, bar.close, prev.close)
    body_low = min(bar.open, bar.close, prev.close)
    wick = max(bar.high - body_high, body_low - bar.low)
    if not (gap_pct > MIN_GAP or wick / prev.close > MIN_GAP / 3):
        return None  # neither test below can hold, whatever the median (issue #16: one per bar)
    ref = median(ranges)
    if ref <= 0:
        return None
    big = abs(jump) > GAP_RANGES * ref and gap_pct > MIN_GAP
    nxt = bars[i + 1] if i + 1 < len(bars) else None
    if big:
        reverted = nxt is not None and abs(nxt.close - prev.close) <= REVERT * abs(jump)
        ratio = split_ratio(prev.close, bar.open) or split_ratio(prev.close, bar.close)
        bench = moves.get(bar.bar_date)
        bench_quiet = bench is None or abs(bench) < BENCH_SHARE * gap_pct
        if ratio is not None and not reverted and bench_quiet:
            bench_text = "" if bench is None else f", benchmark {bench * 100:+.1f}%"
            return (
                f"suspected {ratio_text(ratio)} split: gap {jump / prev.close * 100:+.1f}% "
                f"= {abs(jump) / ref:.0f}x the median true range{bench_text}",
                "split",
                False,
            )
        if (reverted or nxt is None) and bench_quiet:  # the market moved too: a real move
            return (
                f"suspected bad tick: close {bar.close:g} vs {prev.close:g} before"
                + (f" and {nxt.close:g} after" if nxt is not None else " (the last bar)")
                + f" ({abs(jump) / ref:.0f}x the median true range)",
                "tick" if reverted else "pending",
                False,
            )
    if wick > WICK_RANGES * ref and wick / prev.close > MIN_GAP / 3:
        return (
            f"suspected bad tick: high {bar.high:g} / low {bar.low:g} around a body of "
            f"{body_low:g}-{body_high:g} ({wick / ref:.0f}x the median true range)",
            "tick",
            False,
        )
    return None


def _kind(reason: str) -> str:
    return "split" if " split" in reason else "tick"


def _ratio_of(reason: str) -> float | None:
    """The ratio in 'suspected 2:1 split: ...' (old price / new price)."""
    try:
        text = reason.split(" split", 1)[0].rsplit(" ", 1)[-1]
        num, den = text.split(":")
        return float(num) / float(den)
    except (ValueError, IndexError, ZeroDivisionError):
        return None


def _adjusted(bar: BarView, splits: list[tuple[date, float, str, bool]]) -> BarView:
    """A bar before confirmed splits, in post-split units (prices / ratio, volume x ratio)."""
    return _scaled(bar, units_factor(bar.bar_date, [(day, r) for day, r, _, _ in splits], None))


def _scaled(bar: BarView, factor: float) -> BarView:
    """``bar`` with its prices times ``factor`` and its volume divided by it."""
    if factor == 1.0:
        return bar
    return replace(
        bar,
        open=bar.open * factor,
        high=bar.high * factor,
        low=bar.low * factor,
        close=bar.close * factor,
        volume=bar.volume / factor,
    )


@functools.lru_cache(maxsize=8)
def _reviews_statement(since: bool, until: bool) -> Any:
    """``reviews``' statement, built once per shape (on every page with a chart, #16)."""
    query = select(Bar.bar_date, Bar.sanity, Bar.sanity_ok).where(
        Bar.instrument_id == bindparam("inst"), Bar.interval == "1d", Bar.sanity.is_not(None)
    )
    if since:  # the (instrument, interval, bar_date) index bounds the scan
        query = query.where(Bar.bar_date >= bindparam("since"))
    if until:
        query = query.where(Bar.bar_date <= bindparam("until"))
    return query.order_by(Bar.bar_date)


def reviews(
    store: Store, instrument_id: int, *, since: date | None = None, until: date | None = None
) -> tuple[list[tuple[date, float]], set[date]]:
    """The stored reviews readers apply: confirmed splits (date, old/new price ratio), oldest
    first, and flagged bad ticks nobody accepted. Reads flags only (the technicals stage writes
    them)."""
    params: dict[str, Any] = {"inst": instrument_id}
    if since is not None:
        params["since"] = since
    if until is not None:
        params["until"] = until
    with store.connect() as s:
        rows = s.execute(_reviews_statement(since is not None, until is not None), params).all()
    return _reviews_of(rows)


def _reviews_of(
    rows: Sequence[tuple[date, object, object]],
) -> tuple[list[tuple[date, float]], set[date]]:
    """``reviews`` of flag rows (date, flag, accepted), oldest first."""
    splits: list[tuple[date, float]] = []
    ticks: set[date] = set()
    for day, reason, ok in rows:
        if _kind(str(reason)) == "split":
            ratio = _ratio_of(str(reason))
            if ok and ratio is not None:
                splits.append((day, ratio))
        elif not ok:
            ticks.add(day)
    return splits, ticks


def flags_of(
    store: Store, instrument_ids: Sequence[int], *, since: date, until: date
) -> dict[int, list[tuple[date, str, bool]]]:
    """``flagged_bars`` of many instruments between ``since`` and ``until`` (inclusive) in one
    query: (date, flag, accepted), oldest first; instruments without flags absent."""
    out: dict[int, list[tuple[date, str, bool]]] = {}
    if not instrument_ids:
        return out
    query = select(Bar.instrument_id, Bar.bar_date, Bar.sanity, Bar.sanity_ok).where(
        Bar.instrument_id.in_(instrument_ids),
        Bar.interval == "1d",
        Bar.sanity.is_not(None),
        Bar.bar_date >= since,
        Bar.bar_date <= until,
    )
    with store.read() as s:
        for inst_id, day, reason, ok in s.execute(query.order_by(Bar.bar_date)):
            out.setdefault(inst_id, []).append((day, str(reason), bool(ok)))
    return out


def units_factor(day: date, splits: Sequence[tuple[date, float]], units_of: date | None) -> float:
    """What a bar of ``day`` is multiplied by to read in the units of ``units_of`` (None: the
    newest units, after every split): a split's ratio divides the bars before it when the
    units are after it, and multiplies the bars from it on when the units are before it."""
    factor = 1.0
    for split_day, ratio in splits:
        if day < split_day and (units_of is None or units_of >= split_day):
            factor /= ratio
        elif units_of is not None and units_of < split_day <= day:
            factor *= ratio
    return factor


def reviewed_bars(
    store: Store,
    instrument_id: int,
    bars: Sequence[BarView],
    *,
    units_of: date | None = None,
    flags: Sequence[tuple[date, str, bool]] | None = None,
) -> list[BarView]:
    """``bars`` (oldest first) as every reader after the technicals stage must see them: bad ticks
    that were flagged and not accepted left out, prices across a confirmed split in one set of
    units: the newest (as the indicators use) or those of ``units_of`` (a past call's day).

    Without this the newsroom computed a 60-session return of -50% and a 52-week closing high
    in pre-split prices across a confirmed 2:1 split, while the indicators were adjusted.

    ``flags``: the instrument's flagged bars (``flags_of``) when the caller read them, covering
    at least the bars' dates (and ``units_of``); None reads them here."""
    if not bars:
        return []
    # a split before the first bar (and before units_of) changes none of them
    first = bars[0].bar_date if units_of is None else min(bars[0].bar_date, units_of)
    last = bars[-1].bar_date
    if flags is None:
        splits, ticks = reviews(store, instrument_id, since=first, until=last)
    else:  # read for many instruments at once (flags_of): the same window applied here
        splits, ticks = _reviews_of([f for f in flags if first <= f[0] <= last])
    if not splits and not ticks:
        return list(bars)
    return [
        _scaled(b, units_factor(b.bar_date, splits, units_of))
        for b in bars
        if b.bar_date not in ticks
    ]


def flagged_bars(store: Store, instrument_id: int) -> list[tuple[date, str, bool]]:
    """(date, flag, accepted) of an instrument's flagged daily bars, oldest first."""
    with store.read() as s:
        rows = s.execute(
            select(Bar.bar_date, Bar.sanity, Bar.sanity_ok)
            .where(
                Bar.instrument_id == instrument_id,
                Bar.interval == "1d",
                Bar.sanity.is_not(None),
            )
            .order_by(Bar.bar_date)
        ).all()
    return [(d, str(r), bool(ok)) for d, r, ok in rows]
