"""Issue #17 item 10: splits and bad ticks, on real series with one injected (market.sanity).

A 2:1 split must not read "down 50%, Threat 5/5"; one bad tick must not quadruple ATR.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tapewire.market.models import Bar
from tapewire.market.providers import parse_csv_bars
from tapewire.market.providers.base import BarIn, ParsedBars
from tapewire.market.queries import BarView
from tapewire.market.sanity import accept_bar, screen
from tapewire.market.stage import InstrumentSpec, save_bars, save_instrument
from tapewire.newsroom import queries as newsroom_queries
from tapewire.newsroom import stage as newsroom_stage
from tapewire.signals import stage as signals_stage
from tapewire.store import Store
from tapewire.technicals import queries as technicals_queries
from tapewire.technicals import stage as technicals_stage
from tapewire.technicals.compute import compute_snapshot
from tests.conftest import shared_data

NORMALIZED = "daily_2015_to_2026-02-27_normalized"


def _real(name: str) -> list[BarView]:
    body = shared_data("prices", NORMALIZED, name).read_bytes()
    return [
        BarView(b.bar_date, b.open, b.high, b.low, b.close, b.volume)
        for b in parse_csv_bars(body).bars
    ]


def _split(bars: list[BarView], at: int, ratio: float = 2.0) -> list[BarView]:
    """A raw (unadjusted) series: from bar ``at`` on, prices / ratio and volume x ratio."""
    return bars[:at] + [
        replace(
            b,
            open=b.open / ratio,
            high=b.high / ratio,
            low=b.low / ratio,
            close=b.close / ratio,
            volume=b.volume * ratio,
        )
        for b in bars[at:]
    ]


def _v(snapshot: Any, name: str) -> float:
    value = snapshot.values[name]
    assert value is not None
    return float(value)


def _tick(bars: list[BarView], at: int, factor: float = 4.0) -> list[BarView]:
    b = bars[at]
    return [*bars[:at], replace(b, high=b.high * factor, close=b.close * factor), *bars[at + 1 :]]


@pytest.fixture(scope="module")
def aapl() -> list[BarView]:
    return _real("AAPL.csv")


@pytest.fixture(scope="module")
def gspc() -> list[BarView]:
    return _real("^GSPC.csv")


def test_clean_real_series_raise_no_flag(aapl: list[BarView], gspc: list[BarView]) -> None:
    for name in ("AAPL.csv", "MSFT.csv", "JPM.csv", "XOM.csv", "^GSPC.csv"):
        checked = screen(_real(name), bench=gspc)
        assert checked.flags == {} and checked.blocked is None, name


def test_a_2_to_1_split_is_flagged_and_blocks_indicators(
    aapl: list[BarView], gspc: list[BarView]
) -> None:
    at = len(aapl) - 10
    raw = _split(aapl, at)
    checked = screen(raw[-440:], bench=gspc)
    day = raw[at].bar_date
    assert list(checked.flags) == [day]
    assert checked.flags[day].startswith("suspected 2:1 split: gap -5")
    assert checked.blocked is not None and "2:1 split" in checked.blocked
    # without the screen this is the defect: "down 50% over 20 sessions"
    naive = compute_snapshot(raw[-440:])
    assert naive is not None and _v(naive, "return20_pct") < -40


def test_a_reverse_split_is_flagged(aapl: list[BarView], gspc: list[BarView]) -> None:
    raw = _split(aapl, len(aapl) - 5, ratio=0.1)  # 1:10 reverse split
    checked = screen(raw[-300:], bench=gspc)
    assert any("1:10 split" in r for r in checked.flags.values())


def test_an_accepted_split_back_adjusts_the_bars_before_it(
    aapl: list[BarView], gspc: list[BarView]
) -> None:
    at = len(aapl) - 10
    raw = _split(aapl, at)[-440:]
    day = aapl[at].bar_date
    flag = screen(raw, bench=gspc).flags[day]
    checked = screen(raw, bench=gspc, reviewed=[(day, flag, True)])
    assert checked.blocked is None and checked.flags == {}
    adjusted = compute_snapshot(checked.bars)
    clean = compute_snapshot(aapl[-440:])
    assert adjusted is not None and clean is not None
    assert adjusted.values["return20_pct"] == pytest.approx(clean.values["return20_pct"])
    assert _v(adjusted, "atr14") == pytest.approx(_v(clean, "atr14") / 2)


def test_one_bad_tick_does_not_move_atr(aapl: list[BarView], gspc: list[BarView]) -> None:
    window = aapl[-440:]
    at = len(window) - 6
    raw = _tick(window, at)
    naive, clean = compute_snapshot(raw), compute_snapshot(window)
    assert naive is not None and clean is not None
    assert _v(naive, "atr14") > 3 * _v(clean, "atr14")  # the defect
    checked = screen(raw, bench=gspc)
    assert list(checked.flags) == [window[at].bar_date]
    assert checked.flags[window[at].bar_date].startswith("suspected bad tick")
    assert checked.blocked is None
    screened = compute_snapshot(checked.bars)
    assert screened is not None
    assert screened.values["atr14"] == pytest.approx(clean.values["atr14"], rel=0.1)


def test_a_jump_on_the_last_bar_waits_for_the_next(aapl: list[BarView]) -> None:
    raw = _tick(aapl[-300:], 299, factor=1.6)  # +60%: a bad tick or news? the next bar tells
    checked = screen(raw)
    assert checked.flags == {}
    assert list(checked.pending) == [raw[-1].bar_date]
    assert checked.bars == raw[:-1]


def test_a_crash_day_with_the_market_is_a_real_move_not_a_pending_tick() -> None:
    """Real bars: XLE fell 20% on 2020-03-09 (the oil price war) while the S&P 500 fell 7.6%.
    On the evening of that session the move is the news; it is not held back as a bad tick."""
    body = shared_data("prices", "yahoo_long_to_2026-02", "XLE.csv").read_bytes()
    xle = [
        BarView(b.bar_date, b.open, b.high, b.low, b.close, b.volume)
        for b in parse_csv_bars(body).bars
        if date(2019, 1, 1) <= b.bar_date <= date(2020, 3, 9)
    ]
    spx = [b for b in _real("^GSPC.csv") if date(2019, 1, 1) <= b.bar_date <= date(2020, 3, 9)]
    assert xle[-1].close / xle[-2].close < 0.85  # the real move is there
    checked = screen(xle, bench=spx, symbol="XLE")
    assert (checked.pending, checked.flags, checked.blocked) == ({}, {}, None)
    assert checked.bars[-1] == xle[-1]
    quiet = screen(xle, symbol="XLE")  # no benchmark to tell: it waits for the next bar
    assert list(quiet.pending) == [date(2020, 3, 9)]


def test_a_wick_spike_is_a_bad_tick(aapl: list[BarView]) -> None:
    window = aapl[-300:]
    b = window[-20]
    raw = [*window[:-20], replace(b, high=b.high * 3), *window[-19:]]
    checked = screen(raw)
    assert list(checked.flags) == [b.bar_date]
    assert b.bar_date not in {x.bar_date for x in checked.bars}


# ---------------------------------------------------------------- the stages, on a real store


def _store_series(store: Store, symbol: str, bars: list[BarView], **spec: Any) -> int:
    with store.write() as s:
        inst_id = save_instrument(
            s, InstrumentSpec(symbol=symbol, name=symbol, asset_class="Stocks", **spec)
        )
        parsed = ParsedBars(
            tuple(BarIn(b.bar_date, b.open, b.high, b.low, b.close, b.volume) for b in bars)
        )
        save_bars(s, inst_id, parsed, source="test")
    return inst_id


def _as_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


def test_stages_flag_the_split_write_no_down_50_brief_and_use_it_once_accepted(
    sqlite_store: Store, make_ctx: Any, aapl: list[BarView], gspc: list[BarView]
) -> None:
    at = len(aapl) - 4
    raw = _split(aapl, at)
    _store_series(sqlite_store, "^GSPC", gspc)
    aapl_id = _store_series(sqlite_store, "AAPL", raw, benchmark_symbol="^GSPC")
    ctx = make_ctx(sqlite_store, as_of=_as_of(raw[-1].bar_date))
    report = technicals_stage.run(ctx)
    assert any("AAPL" in e and "2:1 split" in e for e in map(str, report.errors)), report.errors
    assert report.counts["suspect_bars"] == 1
    with sqlite_store.read() as s:
        flagged = s.execute(select(Bar.bar_date, Bar.sanity).where(Bar.sanity.is_not(None))).all()
    assert [d for d, _ in flagged] == [raw[at].bar_date]
    signals_stage.run(ctx)
    newsroom_stage.run(ctx)
    assert newsroom_queries.list_briefs(sqlite_store, limit=5, symbol="AAPL") == []
    from tapewire.errors import NoDataError
    from tapewire.market import queries as market_queries

    inst = market_queries.instrument(sqlite_store, "AAPL")
    assert inst is not None
    with pytest.raises(NoDataError) as held:  # says why, and what to do, not just "no bars"
        newsroom_stage.write_brief(ctx, inst)
    assert f"bars from {raw[at].bar_date} are held for review (suspected 2:1 split" in str(
        held.value
    )
    assert f"tapewire prices confirm AAPL {raw[at].bar_date}" in str(held.value)

    with sqlite_store.write() as s:
        assert accept_bar(s, aapl_id, raw[at].bar_date) is not None
    technicals_stage.run(ctx)
    signals_stage.run(ctx)
    newsroom_stage.run(ctx)
    tech = technicals_queries.latest(sqlite_store, aapl_id, until=ctx.as_of)
    assert tech is not None and tech.bar_date == raw[-1].bar_date
    assert abs(float(tech.values["return20_pct"] or 0)) < 25
    briefs = newsroom_queries.list_briefs(sqlite_store, limit=5, symbol="AAPL")
    assert briefs and all(b.threat is None or b.threat < 5 for b in briefs)
    assert all("50.0%" not in b.headline + b.dek for b in briefs)


def test_technicals_stage_leaves_a_bad_tick_out_of_atr(
    sqlite_store: Store, make_ctx: Any, aapl: list[BarView]
) -> None:
    window = aapl[-440:]
    inst_id = _store_series(sqlite_store, "AAPL", _tick(window, len(window) - 6))
    ctx = make_ctx(sqlite_store, as_of=_as_of(window[-1].bar_date))
    technicals_stage.run(ctx)
    tech = technicals_queries.latest(sqlite_store, inst_id, until=ctx.as_of)
    clean = compute_snapshot(window)
    assert tech is not None and clean is not None
    assert float(tech.values["atr14"] or 0) == pytest.approx(clean.values["atr14"], rel=0.1)


def test_cli_flags_and_confirm_a_split(tmp_path: Any, aapl: list[BarView]) -> None:
    from tests.hostile.test_cli_hostile import run

    at = len(aapl) - 5
    raw = _split(aapl, at)[-300:]
    csv = tmp_path / "aapl.csv"
    csv.write_text(
        "Date,Open,High,Low,Close,Volume\n"
        + "".join(f"{b.bar_date},{b.open},{b.high},{b.low},{b.close},{b.volume}\n" for b in raw)
    )
    db = str(tmp_path / "t.db")
    assert run(tmp_path, "prices", "load", "AAPL", str(csv), "--db", db).returncode == 0
    blocked = run(tmp_path, "levels", "AAPL", "--db", db)
    assert blocked.returncode == 1
    assert (
        b"suspected 2:1 split" in blocked.stderr
        and f"prices confirm AAPL {aapl[at].bar_date}".encode() in blocked.stderr
    )
    day = aapl[at].bar_date.isoformat()
    flags = run(tmp_path, "prices", "flags", "AAPL", "--db", db)
    assert flags.stdout.decode().startswith(f"{day}  pending   suspected 2:1 split")
    assert run(tmp_path, "prices", "confirm", "AAPL", "2020-01-02", "--db", db).returncode == 2
    assert run(tmp_path, "prices", "confirm", "AAPL", day, "--db", db).returncode == 0
    assert b"accepted" in run(tmp_path, "prices", "flags", "AAPL", "--db", db).stdout
    assert run(tmp_path, "levels", "AAPL", "--db", db).returncode == 0


def test_after_an_accepted_split_the_brief_reads_adjusted_bars(
    sqlite_store: Store, make_ctx: Any, aapl: list[BarView], gspc: list[BarView]
) -> None:
    """The newsroom read raw bars for its own figures (20/60-session pair returns, the year's
    closing high, the chart) while the indicators were adjusted: ten sessions after an accepted
    2:1 split, the brief's 20- and 60-session returns read about -50% (found on real XLE bars,
    which split 2:1 on 2025-11-17 in ../shared/data). Now the facts equal the clean series'."""
    from tapewire.market import queries as market_queries

    at = len(aapl) - 10
    _store_series(sqlite_store, "^GSPC", gspc)
    split_id = _store_series(sqlite_store, "AAPL", _split(aapl, at), benchmark_symbol="^GSPC")
    _store_series(sqlite_store, "CLEAN", aapl, benchmark_symbol="^GSPC")
    ctx = make_ctx(sqlite_store, as_of=_as_of(aapl[-1].bar_date))
    technicals_stage.run(ctx)
    with sqlite_store.write() as s:
        assert accept_bar(s, split_id, aapl[at].bar_date) is not None
    technicals_stage.run(ctx)
    signals_stage.run(ctx)

    def facts_of(symbol: str) -> dict[str, Any]:
        inst = market_queries.instrument(sqlite_store, symbol)
        assert inst is not None
        return newsroom_stage.gather_facts(ctx, inst, newsroom_stage._latest(ctx, inst))

    split, clean = facts_of("AAPL"), facts_of("CLEAN")
    for key in ("return20_pct", "return60_pct", "rel20_pct", "rel60_pct", "spread_z60"):
        assert split["pair"][key] == pytest.approx(clean["pair"][key], rel=1e-6), key
    assert abs(split["pair"]["return60_pct"]) < 40
    for key in ("new_high_close", "new_low_close"):
        assert split["history"][key] == clean["history"][key], key
    for key in ("high_close", "low_close"):  # in post-split units: half the clean series
        assert 2 * split["history"][key] == pytest.approx(clean["history"][key], rel=1e-9), key
    closes = [2 * c for c in split["chart"]["closes"]]
    assert closes == pytest.approx(clean["chart"]["closes"], rel=1e-9)
