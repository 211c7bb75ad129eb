"""An instrument against its benchmark over 20 and 60 sessions: the pair facts and the sentence
that tells them (pure, but for ``read_pair_facts`` which reads the two legs' bars).

The seed's framing ("the Russell 2000 against the S&P 500") needs three measured things: each
leg's return over the window, the change of the ratio between them (> 0: the first leg
outperformed) and the spread's z-score (log ratio against its 60-session mean and deviation,
``technicals.relative``). Everything is computed on the sessions both legs traded, from bars the
caller cut at ``as_of``; a window longer than the common history gives None (no data, no claim).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from tapewire.market import queries as market_queries
from tapewire.market.queries import InstrumentView
from tapewire.market.sanity import reviewed_bars
from tapewire.newsroom.writers.base import fmt_pct
from tapewire.store import Store
from tapewire.technicals.relative import compute_relative

WINDOWS = (20, 60)  # sessions
PAIR_BAR_DAYS = 200  # calendar days of bars read per leg: 60 sessions and the day before, with room


def compute_pair(
    dates_a: Sequence[date],
    close_a: Sequence[float],
    dates_b: Sequence[date],
    close_b: Sequence[float],
) -> dict[str, Any] | None:
    """A (the instrument) against B (its benchmark) on their common sessions, JSON-ready.

    None when the legs do not end on the same session (comparing them would mix days).
    """
    rel = compute_relative(dates_a, close_a, dates_b, close_b)
    if rel is None:
        return None
    b_by_date = dict(zip(dates_b, close_b, strict=True))
    common = [(d, a, b_by_date[d]) for d, a in zip(dates_a, close_a, strict=True) if d in b_by_date]
    out: dict[str, Any] = {
        "sessions": len(common),
        "bar_date": common[-1][0].isoformat(),
        "spread_z60": rel.spread_z60,
    }
    for n in WINDOWS:
        if len(common) > n:
            start, end = common[-1 - n], common[-1]
            ret_a = (end[1] / start[1] - 1.0) * 100.0
            ret_b = (end[2] / start[2] - 1.0) * 100.0
            ratio = ((end[1] / end[2]) / (start[1] / start[2]) - 1.0) * 100.0
            out |= {
                f"return{n}_pct": ret_a,
                f"bench_return{n}_pct": ret_b,
                f"rel{n}_pct": ratio,
                f"start{n}_date": start[0].isoformat(),
            }
        else:
            out |= {f"return{n}_pct": None, f"bench_return{n}_pct": None, f"rel{n}_pct": None}
    return out


def _leg(value: float) -> str:
    return f"{'up' if value >= 0 else 'down'} {fmt_pct(value)}"


def pair_sentence(name: str, bench_name: str, pair: dict[str, Any] | None) -> str | None:
    """ "Over 20 sessions Russell 2000 is up 2.1% and S&P 500 up 1.0%, ..." from the
    pair facts; None without a 20-session figure. The 60-session figure and the spread's z-score
    are added where measured."""
    if not pair or pair.get("rel20_pct") is None:
        return None
    parts = []
    for n in WINDOWS:
        rel = pair.get(f"rel{n}_pct")
        if rel is None:
            continue
        way = "outperformed" if rel >= 0 else "lagged"
        parts.append(
            f"over {n} sessions {name} is {_leg(pair[f'return{n}_pct'])} and {bench_name} "
            f"{_leg(pair[f'bench_return{n}_pct'])}, so {name} {way} by {fmt_pct(rel)}"
        )
    text = "; ".join(parts)
    text = text[0].upper() + text[1:] + "."
    z = pair.get("spread_z60")
    if z is not None:
        side = "above" if z >= 0 else "below"
        text += (
            f" The {name}/{bench_name} spread sits {abs(z):.1f} standard deviations {side} its "
            "60-session mean."
        )
    return text


def read_pair_facts(store: Store, inst: InstrumentView, *, until: datetime) -> dict[str, Any]:
    """``{"pair": ..., "names": [...]}`` for an instrument brief's fact sheet: the instrument
    against its benchmark from bars cut at ``until`` (``pair`` None without a benchmark or a
    common last session); ``names`` are the benchmark's name and symbol (not claims)."""
    bench = (
        market_queries.instrument(store, inst.benchmark_symbol) if inst.benchmark_symbol else None
    )
    if bench is None or bench.id == inst.id:
        return {"pair": None}
    a = reviewed_bars(
        store, inst.id, market_queries.bars(store, inst.id, until=until, days=PAIR_BAR_DAYS)
    )
    b = reviewed_bars(
        store, bench.id, market_queries.bars(store, bench.id, until=until, days=PAIR_BAR_DAYS)
    )
    pair = (
        compute_pair(
            [x.bar_date for x in a],
            [x.close for x in a],
            [x.bar_date for x in b],
            [x.close for x in b],
        )
        if a and b
        else None
    )
    if pair is not None:
        pair |= {"benchmark": bench.symbol, "benchmark_name": bench.name or bench.symbol}
    return {"pair": pair, "names": [bench.name, bench.symbol]}


def instrument_pair_sentence(facts: dict[str, Any]) -> str | None:
    """The instrument brief's benchmark-pair sentence (the seed's Russell-against-S&P framing)."""
    pair = facts.get("pair")
    if not pair:
        return None
    sentence = pair_sentence(facts["instrument"]["name"], pair["benchmark_name"], pair)
    if sentence is None:
        return None
    return (
        f"Against its benchmark {pair['benchmark_name']} ({pair['benchmark']}): "
        + sentence[0].lower()
        + sentence[1:]
    )
