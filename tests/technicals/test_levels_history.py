"""LevelHistory and RelativeHistory (the backtest's way to levels and relative strength) equal
find_levels and compute_relative on each window, field for field, on real series; and they read
nothing after the window's last bar."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from tapewire.market.providers import parse_csv_bars
from tapewire.market.providers.base import BarIn
from tapewire.technicals.compute import compute_snapshot
from tapewire.technicals.levels import LevelBar, LevelHistory, find_levels
from tapewire.technicals.relative import RelativeHistory, compute_relative
from tests.conftest import shared_data

WINDOW = 300  # about the technicals stage's 440 calendar days


def real(rel: str) -> list[BarIn]:
    return list(parse_csv_bars(shared_data("prices", rel).read_bytes(), source=rel).bars)


def history_of(bars: list[BarIn]) -> LevelHistory:
    return LevelHistory(
        [b.bar_date for b in bars],
        [b.high for b in bars],
        [b.low for b in bars],
        [b.close for b in bars],
    )


def sampled(n: int, step: int) -> list[int]:
    """Every bar of the first year (windows shorter than the lookback), then every ``step``."""
    return sorted(set(range(29, min(n, 290))) | set(range(290, n, step)))


@pytest.mark.parametrize("rel", ["yahoo_long_to_2026-02/XLE.csv", "yahoo_long_to_2026-02/GC=F.csv"])
def test_levels_at_equals_find_levels_on_each_window(rel: str) -> None:
    bars = real(rel)[-2600:]  # ten years, from a first bar (the first year's windows are short)
    history = history_of(bars)
    compared = short = named = 0
    for last in sampled(len(bars), 11):
        first = max(0, last + 1 - WINDOW)
        window = bars[first : last + 1]
        snap = compute_snapshot(window)  # type: ignore[arg-type]  # BarIn has BarView's fields; the pipeline's indicators and levels on this window
        assert snap is not None
        v = snap.values
        got = history.levels_at(
            last, first=first, atr=v["atr14"] or 0.0, sma50=v["sma50"], sma200=v["sma200"]
        )
        assert got == list(snap.levels), (rel, window[-1].bar_date)
        if len(window) < 252:  # the first year: the extremes name the bars they span
            short += 1
            extremes = [lv for lv in got if lv.kind in ("high52", "low52")]
            assert all(f"of the last {len(window)} bars" in lv.evidence for lv in extremes)
            named += len(extremes)
            assert not any("52-week" in lv.evidence for lv in got)
        compared += 1
    assert short > 200 and named > 50 and compared > 400


def test_levels_at_reads_nothing_after_its_last_bar() -> None:
    """Scramble every bar after D: the levels of every window ending on or before D are equal;
    a swing point needs PIVOT_WINDOW later bars, so one near D must not be known at D."""
    bars = real("merged_index_series/^GSPC.csv")[-900:]
    d = len(bars) - 200
    scrambled = bars[:d] + [
        replace(b, high=b.high * 1.3, low=b.low * 0.7, close=b.close * (0.8 + 0.02 * (k % 20)))
        for k, b in enumerate(bars[d:])
    ]
    clean, dirty = history_of(bars), history_of(scrambled)
    for last in range(d - 60, d):
        first = last + 1 - WINDOW
        kw: dict[str, Any] = {"atr": 40.0, "sma50": None, "sma200": None}
        assert clean.levels_at(last, first=first, **kw) == dirty.levels_at(last, first=first, **kw)
        window = [LevelBar(b.bar_date, b.high, b.low, b.close) for b in bars[first : last + 1]]
        assert clean.levels_at(last, first=first, **kw) == find_levels(window, **kw)
    # ... and the scrambled bars do change the levels after D (the test can see a difference)
    after = [(last + 1 - WINDOW, last) for last in range(d + 30, d + 60)]
    assert any(
        clean.levels_at(b, first=a, atr=40.0, sma50=None, sma200=None)
        != dirty.levels_at(b, first=a, atr=40.0, sma50=None, sma200=None)
        for a, b in after
    )


def test_averages_passed_in_equal_the_ones_computed() -> None:
    from tapewire.technicals.indicators import compute_sma

    bars = real("yahoo_long_to_2026-02/XLE.csv")[-700:]
    history = history_of(bars)
    closes = np.array([b.close for b in bars])
    banded = 0
    for last in range(400, 700, 13):
        first = last + 1 - WINDOW
        snap = compute_snapshot(bars[first : last + 1])  # type: ignore[arg-type]
        assert snap is not None
        v = snap.values
        look = min(WINDOW, 252)
        averages = {p: compute_sma(closes[first : last + 1], p)[-look:] for p in (50, 200)}
        kw: dict[str, Any] = {"atr": v["atr14"] or 0.0, "sma50": v["sma50"], "sma200": v["sma200"]}
        with_given = history.levels_at(last, first=first, averages=averages, **kw)
        assert with_given == history.levels_at(last, first=first, **kw) == list(snap.levels)
        banded += any(lv.kind in ("sma50", "sma200") and lv.touches for lv in with_given)
    assert banded  # the averages' bands were tested on some day: the series passed in matter


@pytest.mark.parametrize(
    "a_rel,b_rel",
    [
        ("yahoo_long_to_2026-02/XLE.csv", "merged_index_series/^GSPC.csv"),
        # FX trades on US holidays and the index does not: the common sessions skip days
        ("yahoo_long_to_2026-02/EURUSD=X.csv", "merged_index_series/^GSPC.csv"),
    ],
)
def test_relative_history_equals_compute_relative_on_each_window(a_rel: str, b_rel: str) -> None:
    a, b = real(a_rel)[-1500:], real(b_rel)
    b = [x for x in b if x.bar_date >= a[0].bar_date]
    da, ca = [x.bar_date for x in a], [x.close for x in a]
    db, cb = [x.bar_date for x in b], [x.close for x in b]
    rel = RelativeHistory(da, ca, db, cb)
    outcomes = set()
    for i in list(range(0, 40)) + list(range(40, len(a), 5)):
        s = max(0, i + 1 - WINDOW)
        j = int(np.searchsorted(np.array([d.toordinal() for d in db]), da[i].toordinal(), "right"))
        j -= 1
        js = int(np.searchsorted(np.array([d.toordinal() for d in db]), da[s].toordinal()))
        if j < js:
            continue
        want = compute_relative(da[s : i + 1], ca[s : i + 1], db[js : j + 1], cb[js : j + 1])
        has, rs = rel.rs20_at(s, i, js, j)
        assert has == (want is not None), da[i]
        assert rs == (want.rs20_pct if want is not None else None), da[i]
        outcomes.add((has, rs is not None))
    # every branch was taken: no relative (legs end apart), too short for rs20, and rs20
    assert outcomes >= {(True, True), (True, False)}
    if "EURUSD" in a_rel:
        assert (False, False) in outcomes
