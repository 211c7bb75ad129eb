"""Charts on real bars (SPY and ^GSPC from ../shared/data): the interactive chart's JSON (cut at
the brief's as_of, averages, levels in words, brief markers), the static SVG (axes, every level
labelled, labels clear of the line and of each other) and Pulse history on a real time axis."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from statistics import fmean
from typing import Any

import httpx
import pytest

from tapewire.config import Settings
from tapewire.market import queries as market_queries
from tapewire.newsroom import queries as newsroom_queries
from tapewire.store import Store
from tapewire.technicals import queries as technicals_queries
from tapewire.technicals.levels import LEVEL_WORDS
from tapewire.web.app import create_app
from tapewire.web.chart import (
    CHAR_W,
    FONT,
    NARROWEST,
    PLOT,
    TOP,
    fmt_price,
    level_label,
    price_decimals,
    price_svg,
    pulse_svg,
)
from tests.support.servers import serve_app
from tests.web import chart_support

real = chart_support.real  # the store of real briefs, built once per module

INTERNAL = re.compile(r"high52|low52|sma50|sma200|ema20|_")


@pytest.fixture(scope="module")
def client(real: tuple[Settings, Store, list[str]]) -> Iterator[httpx.Client]:
    """The real app on a loopback port."""
    settings, store, _ = real
    with serve_app(create_app(settings, store=store)) as base, httpx.Client(base_url=base) as c:
        yield c


def _instrument_briefs(real: tuple[Settings, Store, list[str]]) -> list[Any]:
    _, store, slugs = real
    views = [newsroom_queries.get_brief(store, s) for s in slugs]
    return [v for v in views if v is not None and v.primary_tag != "market"]


def test_chart_json_holds_only_what_the_brief_knew(
    real: tuple[Settings, Store, list[str]], client: httpx.Client
) -> None:
    _, store, slugs = real
    briefs = _instrument_briefs(real)
    assert {v.instruments[0] for v in briefs} == {"SPY", "^GSPC"} and len(briefs) == 6
    for view in briefs:
        doc = client.get(f"/api/briefs/{view.slug}/chart").json()
        inst = market_queries.instrument(store, view.instruments[0])
        assert inst is not None
        later = market_queries.bars(store, inst.id, until=datetime(2026, 3, 1, tzinfo=UTC))
        known = market_queries.bars(store, inst.id, until=view.as_of)
        assert later[-1].bar_date > view.as_of.date()  # the store has bars after the brief ...
        times = [b["time"] for b in doc["bars"]]
        assert times == sorted(set(times))
        assert doc["last_bar"] == times[-1] == known[-1].bar_date.isoformat()  # ... none shown
        assert times[-1] < view.as_of.date().isoformat()
        assert len(times) == min(260, len(known))
        assert set(doc["bars"][0]) == {"time", "open", "high", "low", "close", "volume"}
        last = doc["bars"][-1]
        assert last["close"] == pytest.approx(known[-1].close, rel=1e-6)
        assert last["low"] <= min(last["open"], last["close"]) <= last["high"]

        closes = [b.close for b in known]
        by_period = {a["period"]: a for a in doc["averages"]}
        assert set(by_period) == {50, 200}  # both in the fact sheet, with the history for them
        for period, avg in by_period.items():
            assert avg["label"] == f"{period}-day average"
            assert avg["points"][-1]["time"] == times[-1]
            assert avg["points"][-1]["value"] == pytest.approx(fmean(closes[-period:]), rel=1e-6)
            fact = view.facts["price"][f"sma{period}"]
            assert avg["points"][-1]["value"] == pytest.approx(fact, rel=1e-4)  # what it says

        earlier = [v for v in briefs if v.instruments == view.instruments and v.as_of <= view.as_of]
        assert {m["slug"] for m in doc["markers"]} == {v.slug for v in earlier}
        assert [m["slug"] for m in doc["markers"] if m["current"]] == [view.slug]
        assert all(m["time"] in times for m in doc["markers"])

        # every stored level but the averages drawn as lines (one line each, not two)
        stored = [lv for lv in view.chart["levels"] if lv["kind"] not in ("sma50", "sma200")]
        assert len(doc["levels"]) == len(stored) >= 1
        decimals = price_decimals([b["close"] for b in doc["bars"]])
        for lv, src in zip(doc["levels"], stored, strict=True):
            assert not INTERNAL.search(lv["label"]), lv["label"]
            assert fmt_price(src["price"], decimals) in lv["label"]
            assert lv["label"].split(" ")[0] in {w.split(" ")[0] for w in LEVEL_WORDS.values()}
            if src["kind"] in ("support", "resistance"):
                assert lv["label"].endswith(f"· {src['touches']} touches") or lv["label"].endswith(
                    "· 1 touch"
                )
    assert slugs  # the market briefs' charts answer too (their lead instrument)
    market = [s for s in slugs if s.startswith("market-")]
    assert market and client.get(f"/api/briefs/{market[0]}/chart").status_code == 200
    assert client.get("/api/briefs/no-such-brief/chart").status_code == 404


@pytest.mark.parametrize(
    ("level", "decimals", "words"),
    [
        ({"kind": "support", "price": 2471.2, "touches": 4}, 0, "Support 2,471 · 4 touches"),
        ({"kind": "resistance", "price": 259.481, "touches": 1}, 2, "Resistance 259.48 · 1 touch"),
        ({"kind": "high52", "price": 5120.4, "label": "52-week high"}, 0, "52-week high 5,120"),
        (
            {"kind": "low52", "price": 1.08451, "label": "129-session low"},
            4,
            "129-session low 1.0845",
        ),
        ({"kind": "sma200", "price": 627.334}, 2, "200-day average 627.33"),
        ({"kind": "round", "price": 680.0}, 2, "Round number 680.00"),
    ],
)
def test_levels_are_labelled_in_words(level: dict[str, Any], decimals: int, words: str) -> None:
    assert level_label(level, decimals) == words


def _boxes(svg: str) -> list[tuple[float, float, float, float, str]]:
    """Each level label's box (x0, x1 as plot fractions at NARROWEST; y0, y1 in px)."""
    out = []
    for x, y, text in re.findall(
        r'<text x="([\d.]+)%" y="([\d.]+)" fill="currentColor" class="lv"[^>]*>'
        r"<tspan[^>]*>■</tspan> ([^<]+)</text>",
        svg,
    ):
        x0 = float(x) / 100 / PLOT
        w = (len(text) * CHAR_W + 4) / (NARROWEST * PLOT)
        out.append((x0, x0 + w, float(y) - FONT + 2, float(y) + 3, text))
    return out


def _line(svg: str) -> list[tuple[float, float]]:
    points = re.search(r'<polyline fill="none"[^>]*points="([^"]+)"', svg)
    assert points is not None
    return [
        (float(x) / 1000, float(y) + TOP)
        for x, y in (p.split(",") for p in points.group(1).split())
    ]


def test_static_svg_labels_every_level_clear_of_the_line_and_each_other(
    real: tuple[Settings, Store, list[str]],
) -> None:
    for view in _instrument_briefs(real):
        static = price_svg(view.chart)
        assert static is not None
        svg = str(static.svg)
        assert 'font-size="12"' in svg and not re.search(r'font-size="(\d|1[01])"', svg)
        assert not INTERNAL.search(re.sub(r"<[^>]+>", " ", svg) + static.caption)
        ticks = re.findall(r'<text x="99.5%"[^>]*fill="currentColor">([\d,.]+)</text>', svg)
        assert len(ticks) >= 3  # a price axis with ticks
        months = re.findall(
            r'text-anchor="(?:middle|start)" fill="currentColor">([A-Z][a-z]{2}[^<]*)<', svg
        )
        assert len(months) >= 2  # a date axis
        boxes = _boxes(svg)
        decimals = price_decimals([float(c) for c in view.chart["closes"]])
        for lv in view.chart["levels"]:  # every level line in range carries its words
            words = level_label(lv, decimals)
            assert any(words.startswith(b[4]) for b in boxes) or words in static.caption, words
        line = _line(svg)
        for i, (x0, x1, y0, y1, text) in enumerate(boxes):
            near = [y for x, y in line if x0 - 0.01 <= x <= x1 + 0.01]
            assert y1 < min(near) or y0 > max(near), f"{text!r} crosses the line"
            for other in boxes[i + 1 :]:
                overlap = x0 < other[1] and other[0] < x1 and y0 < other[3] and other[2] < y1
                assert not overlap, f"{text!r} and {other[4]!r} collide"
        assert len(svg) < 8000  # small enough for a feed entry or an email


def test_crowded_levels_are_never_dropped() -> None:
    dates = [(date(2025, 1, 1) + timedelta(days=i)).isoformat() for i in range(120)]
    closes = [100 + 10 * ((i % 20) / 20) for i in range(120)]  # a saw through every level
    levels = [{"kind": "support", "price": 101 + 0.3 * k, "touches": k} for k in range(8)]
    static = price_svg({"dates": dates, "closes": closes, "levels": levels})
    assert static is not None
    texts = {b[4] for b in _boxes(str(static.svg))}
    for lv in levels:
        words = level_label(lv, 2)
        assert words.split(" · ")[0] in {t.split(" · ")[0] for t in texts} or words in (
            static.caption
        )


def test_pulse_history_is_on_a_real_time_axis() -> None:
    t0 = datetime(2019, 3, 1, tzinfo=UTC)
    points = [(t0, 50.0), (t0 + timedelta(days=1), 55.0), (t0 + timedelta(days=6 * 365), 70.0)]
    svg = str(pulse_svg(points))
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)%"', svg)]
    assert len(xs) == 3
    assert xs[1] - xs[0] < 0.1  # a day apart: side by side
    assert xs[2] - xs[1] > 0.95 * PLOT * 100 * 0.98  # six years on: the far end
    ticks = re.findall(
        r'<text x="([\d.]+)%"[^>]*text-anchor="(?:middle|start)" fill="currentColor">(\d{4})<', svg
    )
    assert len(ticks) >= 3
    span = (points[-1][0] - t0).total_seconds()
    for x, year in ticks:  # each year's tick sits at its 1 January on the linear scale
        at = (datetime(int(year), 1, 1, tzinfo=UTC) - t0).total_seconds() / span
        assert float(x) == pytest.approx((0.01 + 0.98 * at) * PLOT * 100, abs=0.02)
    polylines = re.findall(r'points="([^"]+)"', svg)
    assert [len(p.split()) for p in polylines] == [2]  # the six-year gap is not drawn as a line


def test_instrument_page_draws_pulse_history_on_time(
    real: tuple[Settings, Store, list[str]], client: httpx.Client
) -> None:
    page = client.get("/instruments/SPY").text
    assert 'data-testid="pulse-history"' in page and "readings on a time axis" in page
    assert len(re.findall(r"<circle cx=", page)) == 3  # the three briefs' readings


def test_instrument_chart_is_the_latest_data_with_every_brief_marked(
    real: tuple[Settings, Store, list[str]], client: httpx.Client
) -> None:
    _, store, _ = real
    inst = market_queries.instrument(store, "SPY")
    assert inst is not None
    doc = client.get("/api/instruments/SPY/chart").json()
    bars = market_queries.bars(store, inst.id, until=datetime.now(UTC))
    assert doc["last_bar"] == bars[-1].bar_date.isoformat() and len(doc["bars"]) == 260
    spy = [v for v in _instrument_briefs(real) if v.instruments == ("SPY",)]
    assert {m["slug"] for m in doc["markers"]} == {v.slug for v in spy}
    assert not any(m["current"] for m in doc["markers"])
    assert doc["levels"] and all(not INTERNAL.search(lv["label"]) for lv in doc["levels"])
    tech = technicals_queries.latest(store, inst.id, until=datetime.now(UTC))
    assert tech is not None and doc["levels_bar"] == tech.bar_date.isoformat()
    assert {lv["price"] for lv in doc["levels"]} == {  # the averages are lines, not levels
        lv.price for lv in tech.levels if lv.kind not in ("sma50", "sma200")
    }
    assert {a["period"] for a in doc["averages"]} == {50, 200}
    assert client.get("/api/instruments/NOPE/chart").status_code == 404
    page = client.get("/instruments/SPY").text
    assert 'data-chart="/api/instruments/SPY/chart"' in page and "<polyline" in page


def test_time_axis_labels_are_not_cut_at_the_left_edge() -> None:
    """A tick near the left edge gets a label that starts at it ("Mar 2026" was cut in half on
    ^TNX's Pulse history at 390 px), or gives way to the next label, which then carries the
    year: at the narrowest width no label begins left of the chart or runs into another."""
    t0 = datetime(2026, 2, 10, tzinfo=UTC)
    points = [(t0 + timedelta(days=d), 50.0 + d % 7) for d in (0, 1, 2, 3, 300)]
    closes = [100.0 + i % 9 for i in range(120)]
    dates = [(date(2025, 11, 27) + timedelta(days=i)).isoformat() for i in range(120)]
    static = price_svg({"dates": dates, "closes": closes, "levels": []})
    assert static is not None
    for svg in (str(pulse_svg(points)), str(static.svg)):
        labels = re.findall(
            r'<text x="([\d.]+)%" y="[\d.]+" text-anchor="(middle|start)"[^>]*>([^<]+)<', svg
        )
        assert labels
        right = -1.0
        for x, anchor, text in labels:
            left = float(x) / 100 * NARROWEST - (
                len(text) * CHAR_W / 2 if anchor == "middle" else 0
            )
            assert left >= 0, f"{text!r} starts {left:.0f}px left of the chart at {NARROWEST}px"
            assert left >= right, f"{text!r} runs into the label before it at {NARROWEST}px"
            right = left + len(text) * CHAR_W
        assert re.search(r">[A-Z][a-z]{2} 20\d\d<", svg)  # the axis says which year
