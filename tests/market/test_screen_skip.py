"""``screen`` starts its loop at the first bar that can be suspect (issue #16: the technicals
stage judged every bar of every instrument on every pass). On real series, whole and in the
windows the stage reads, with planted ticks, wicks, splits (confirmed or not), flagged bars, a
non-positive and a missing price, the result is the one of the loop over every bar."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import date, timedelta

from tapewire.market.queries import BarView
from tapewire.market.sanity import _first_suspect, screen
from tests.conftest import shared_data
from tests.hostile.test_prices_sanity import NORMALIZED, _real, _split, _tick


def _wick(bars: list[BarView], at: int, depth: float) -> list[BarView]:
    b = bars[at]
    return [*bars[:at], replace(b, low=b.low * (1 - depth)), *bars[at + 1 :]]


def _variants(
    bars: list[BarView], rng: random.Random
) -> list[tuple[list[BarView], list[tuple[date, str, bool]]]]:
    n = len(bars)
    at = rng.randrange(30, n - 2)
    late = n - 1 - rng.randrange(0, 3)
    out: list[tuple[list[BarView], list[tuple[date, str, bool]]]] = [
        (bars, []),
        (_tick(bars, at), []),
        (_tick(bars, late, 0.7), []),  # a late drop, possibly the last bar (pending)
        (_wick(bars, at, 0.12), []),
        (_wick(bars, at, 0.04), []),  # under the wick threshold: quiet
        (_split(bars, at), []),
        (_split(bars, at, 3.0), [(bars[at].bar_date, "suspected 3:1 split", True)]),
        (bars, [(bars[at].bar_date, "suspected bad tick", False)]),  # flagged, quiet bar
        (bars, [(bars[at].bar_date, "suspected bad tick", True)]),
        ([*bars[:at], replace(bars[at], close=0.0), *bars[at + 1 :]], []),
        ([*bars[:at], replace(bars[at], open=math.nan), *bars[at + 1 :]], []),
    ]
    return out


def _synthetic(rng: random.Random) -> tuple[list[BarView], list[tuple[date, str, bool]]]:
    """40 bars with true ranges of 0.4-5% of the price (volatile ones: six median ranges are
    near the 15% gap; calm ones: a 6% wick is ten median ranges), one gap or wick of 5-25%
    planted early, sometimes a flagged bar."""
    day = date(2025, 1, 1)
    price, bars = 100.0, []
    vol = rng.choice((0.004, 0.01, 0.03))  # calm series: a 6% wick is ten median ranges
    for k in range(40):
        r = price * rng.uniform(vol, vol * 1.7)
        o = price + rng.uniform(-r, r) / 3
        c = price + rng.uniform(-r, r) / 3
        bars.append(
            BarView(day + timedelta(days=k), o, max(o, c) + r / 3, min(o, c) - r / 3, c, 1e6)
        )
        price = c
    at = rng.randrange(5, 25)
    b, size = bars[at], rng.uniform(0.05, 0.25)
    if rng.random() < 0.5:
        move = b.close * size * rng.choice((-1, 1))
        bars[at] = replace(
            b,
            close=b.close + move,
            high=max(b.high, b.close + move),
            low=min(b.low, b.close + move),
        )
    else:
        bars[at] = replace(b, low=b.low * (1 - size))
    reviewed = [(bars[at + 3].bar_date, "suspected bad tick", False)] if rng.random() < 0.2 else []
    return bars, reviewed


def test_the_screen_from_the_first_suspect_bar_equals_the_full_loop() -> None:
    rng = random.Random(16)  # noqa: S311 (planted data, not secrets)
    bench = _real("^GSPC.csv")
    folder = shared_data("prices", NORMALIZED)
    names = sorted(p.name for p in folder.glob("*.csv"))
    assert len(names) >= 10
    skipped = judged = 0
    for name in names:
        whole = _real(name)
        for bars in (whole, whole[-300:], whole[-60:]):
            for series, reviewed in _variants(bars, rng):
                fast = screen(series, bench=bench, reviewed=reviewed)
                full = screen(series, bench=bench, reviewed=reviewed, judge_all=True)
                assert fast == full, (name, len(series), reviewed)
                start = _first_suspect(series, {d: (r, ok) for d, r, ok in reviewed})
                if start is None or start > 1:
                    skipped += 1
                else:
                    judged += 1
    for trial in range(400):  # synthetic: volatile bars, gaps and wicks near the thresholds
        series, reviewed = _synthetic(rng)
        fast = screen(series, reviewed=reviewed)
        assert fast == screen(series, reviewed=reviewed, judge_all=True), trial
        judged += bool(fast.flags or fast.pending)
    # both paths are taken: quiet series skip the loop, a suspect bar at once does not
    assert skipped > 100 and judged > 0, (skipped, judged)
