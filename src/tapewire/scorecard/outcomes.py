"""What followed a call (pure): measured only from bars dated on or after the call's as_of day.

A call made as of D (00:00 UTC) rests on bars dated before D; its entry is the last of those
closes. The forward path is the bars dated D and later, in order. From the first ``HORIZONS[-1]``
of them:

- forward return at 1, 5 and 20 sessions, in %, raw and in excess of the benchmark over the same
  dates (an instrument without another benchmark: excess = raw);
- the largest move against the call within 20 sessions, in % of the entry (Bullish: the lowest
  low; Bearish: the highest high; Neutral: the larger of the two);
- realized volatility of the next 20 sessions (20 daily log returns from the entry close,
  annualized by sqrt(252), in %: the same measure as the technicals' realized_vol20_pct);
- the lowest and highest close within 5 and 20 sessions, in % from the entry: a named support
  *broke* within h sessions when a close fell below its zone (or price), a resistance when a close
  rose above it; otherwise it *held*. Grading draws random levels at the same distances from these
  extremes (``scorecard.grades``).

Partial paths give what they can (None for horizons not yet reached); ``complete`` once 20
sessions are in.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

HORIZONS = (1, 5, 20)
LEVEL_HORIZONS = (5, 20)
VOL_SESSIONS = 20
TRADING_DAYS = 252


@dataclass(frozen=True, slots=True)
class PathBar:
    bar_date: date
    high: float
    low: float
    close: float


@dataclass(frozen=True, slots=True)
class NamedLevel:
    kind: str  # support | resistance | round | sma50 | sma200 | high52 | low52
    price: float
    side: str  # below (acts as support) | above (acts as resistance), from the entry close
    zone_low: float | None = None
    zone_high: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "price": self.price,
            "side": self.side,
            "zone_low": self.zone_low,
            "zone_high": self.zone_high,
        }

    @classmethod
    def of(cls, data: dict[str, object]) -> NamedLevel:
        def num(key: str) -> float | None:
            value = data.get(key)
            return float(value) if isinstance(value, int | float) else None

        return cls(
            str(data["kind"]),
            float(num("price") or 0.0),
            str(data["side"]),
            num("zone_low"),
            num("zone_high"),
        )


@dataclass(frozen=True, slots=True)
class Measured:
    sessions: int
    last_date: date | None
    returns: dict[int, float | None]  # horizon -> % return
    excess: dict[int, float | None]  # horizon -> % return minus the benchmark's
    max_adverse_pct: float | None
    realized_vol20_pct: float | None
    min_close_pct: dict[int, float | None]  # horizon -> lowest close vs entry, %
    max_close_pct: dict[int, float | None]
    levels: list[dict[str, object]]  # per named level: held5, held20 (None until known)

    @property
    def complete(self) -> bool:
        return self.sessions >= HORIZONS[-1]

    def as_dict(self) -> dict[str, object]:
        return {
            "sessions": self.sessions,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "returns": {str(h): v for h, v in self.returns.items()},
            "excess": {str(h): v for h, v in self.excess.items()},
            "max_adverse_pct": self.max_adverse_pct,
            "realized_vol20_pct": self.realized_vol20_pct,
            "min_close_pct": {str(h): v for h, v in self.min_close_pct.items()},
            "max_close_pct": {str(h): v for h, v in self.max_close_pct.items()},
            "levels": self.levels,
        }


def _pct(x: float, base: float) -> float:
    return (x / base - 1.0) * 100.0


def benchmark_return(
    entry_date: date, end_date: date, bench: Sequence[tuple[date, float]]
) -> float | None:
    """The benchmark's % change from its last close on or before ``entry_date`` to its last close
    on or before ``end_date`` (None without a close on both sides)."""
    start = end = None
    for d, close in bench:
        if d <= entry_date:
            start = close
        if d <= end_date:
            end = close
        else:
            break
    if start is None or end is None:
        return None
    return _pct(end, start)


def measure(
    *,
    direction: str,
    entry_close: float,
    entry_date: date,
    path: Sequence[PathBar],
    levels: Sequence[NamedLevel] = (),
    benchmark: Sequence[tuple[date, float]] | None = None,
) -> Measured:
    """The outcome so far. ``path``: bars dated after ``entry_date`` (the call's as_of day on),
    oldest first; only the first 20 are read. ``benchmark``: (date, close) of the benchmark
    through the path's last date, or None when the instrument is its own benchmark."""
    path = list(path[: HORIZONS[-1]])
    n = len(path)
    returns: dict[int, float | None] = {}
    excess: dict[int, float | None] = {}
    for h in HORIZONS:
        if n < h:
            returns[h] = excess[h] = None
            continue
        r = _pct(path[h - 1].close, entry_close)
        returns[h] = r
        if benchmark is None:
            excess[h] = r
        else:
            b = benchmark_return(entry_date, path[h - 1].bar_date, benchmark)
            excess[h] = None if b is None else r - b
    adverse = None
    if n:
        down = max(0.0, -_pct(min(b.low for b in path), entry_close))
        up = max(0.0, _pct(max(b.high for b in path), entry_close))
        adverse = (
            down if direction == "Bullish" else up if direction == "Bearish" else max(down, up)
        )
    vol = None
    if n >= VOL_SESSIONS:
        closes = [entry_close] + [b.close for b in path[:VOL_SESSIONS]]
        logs = [math.log(b / a) for a, b in itertools.pairwise(closes)]
        mean = sum(logs) / len(logs)
        var = sum((x - mean) ** 2 for x in logs) / (len(logs) - 1)
        vol = math.sqrt(var) * math.sqrt(TRADING_DAYS) * 100.0
    lo: dict[int, float | None] = {}
    hi: dict[int, float | None] = {}
    for h in LEVEL_HORIZONS:
        if n >= h:
            lo[h] = _pct(min(b.close for b in path[:h]), entry_close)
            hi[h] = _pct(max(b.close for b in path[:h]), entry_close)
        else:
            lo[h] = hi[h] = None
    held = [
        {
            **lv.as_dict(),
            "edge_pct": _pct(edge_of(lv), entry_close),
            **{f"held{h}": level_held(lv, path[:h]) if n >= h else None for h in LEVEL_HORIZONS},
        }
        for lv in levels
    ]
    return Measured(
        n,
        path[-1].bar_date if path else None,
        returns,
        excess,
        adverse,
        vol,
        lo,
        hi,
        held,
    )


def edge_of(level: NamedLevel) -> float:
    """The price a close must pass for the level to break: the zone's far edge, else the price."""
    if level.side == "below":
        return level.zone_low if level.zone_low is not None else level.price
    return level.zone_high if level.zone_high is not None else level.price


def level_held(level: NamedLevel, path: Sequence[PathBar]) -> bool:
    """A level below the entry held when no close fell below its zone (its price without one);
    a level above held when no close rose above its zone."""
    edge = edge_of(level)
    if level.side == "below":
        return all(b.close >= edge for b in path)
    return all(b.close <= edge for b in path)
