"""Claims within the data (issue #11 part 2), on fact sheets built from real bars: a "52-week"
claim needs a year of sessions, an intraday extreme is called intraday and never headlined against
the close, numbers are rounded once from the raw value, typed labels match their own fact; and
outlets are grounded in the sources' own fields in every form."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tapewire.market.queries import BarView
from tapewire.newsroom.facts import build_history
from tapewire.newsroom.verify import verify_texts
from tapewire.signals.risk import compute_risk
from tests.conftest import shared_data

YAHOO = "yahoo_long_to_2026-02"


def load_bars(path: Path, until: date, days: int = 440) -> list[BarView]:
    """Bars of a Yahoo CSV (Date,Close,High,Low,Open,Volume) as the technicals window holds them:
    the ``days`` calendar days up to ``until``."""
    out = []
    with path.open() as fh:
        for row in csv.DictReader(fh):
            day = date.fromisoformat(row["Date"])
            if (until - day).days < days and day <= until:
                out.append(
                    BarView(
                        day,
                        float(row["Open"]),
                        float(row["High"]),
                        float(row["Low"]),
                        float(row["Close"]),
                        float(row["Volume"] or 0),
                    )
                )
    return out


def sheet(symbol: str, name: str, until: date) -> dict[str, Any]:
    """The parts of a fact sheet the claim rules read, from real bars."""
    bars = load_bars(shared_data("prices") / YAHOO / f"{symbol}.csv", until)
    year = bars[-252:]
    close, prev = bars[-1].close, bars[-2].close
    high52, low52 = max(b.high for b in year), min(b.low for b in year)
    risk = compute_risk(close=close, atr14=None, high52=high52)
    return {
        "instrument": {"symbol": symbol, "name": name},
        "bar_date": bars[-1].bar_date.isoformat(),
        "price": {
            "close": close,
            "change_pct": (close / prev - 1.0) * 100.0,
            "high52": high52,
            "low52": low52,
        },
        "history": build_history(bars, bar_date=bars[-1].bar_date),
        "signals": {"components": {"risk": {"drawdown_pct": risk.drawdown_pct}}},
        "levels": [],
        "news": [],
        "params": {"range_weeks": 52},
    }


@pytest.fixture(scope="module")
def dollar() -> dict[str, Any]:
    """The US Dollar Index: 154 rows in the file, so well under a year on record in Jan 2026."""
    return sheet("DX-Y.NYB", "US Dollar Index", date(2026, 1, 30))


@pytest.fixture(scope="module")
def russell_crash() -> dict[str, Any]:
    """The Russell 2000 on Apr 9, 2025: a new 52-week low of 1,732.99 intraday, closed up 8.7%."""
    return sheet("^RUT", "Russell 2000", date(2025, 4, 9))


def failed(texts: list[str], facts: dict[str, Any], headline: str | None = None) -> set[str]:
    result = verify_texts(texts, facts, headline=headline)
    return {c.kind for c in result.failed}


def test_the_history_facts_say_what_the_bars_hold(
    dollar: dict[str, Any], russell_crash: dict[str, Any]
) -> None:
    short = dollar["history"]
    assert 100 < short["sessions"] < 252 and not short["full_year"]
    assert short["range_label"] == f"{short['sessions']}-session"
    crash = russell_crash["history"]
    assert crash["full_year"] and crash["range_label"] == "52-week"
    assert crash["new_low_intraday"] and not crash["new_low_close"]  # low set intraday only
    assert russell_crash["price"]["low52"] == pytest.approx(1732.99, abs=0.005)
    assert russell_crash["price"]["change_pct"] == pytest.approx(8.66, abs=0.01)


@pytest.mark.parametrize(
    "claim",
    [
        "The US Dollar Index hits a 52-week high.",
        "It sets a one-year low.",
        "Volatility ranks at percentile 85 of the past year.",
        "It is the strongest reading in a year.",
    ],
)
def test_a_year_claim_without_a_year_of_sessions_is_rejected(
    dollar: dict[str, Any], claim: str
) -> None:
    assert "window" in failed([claim], dollar)


def test_the_sessions_on_record_are_said_as_they_are(dollar: dict[str, Any]) -> None:
    n = dollar["history"]["sessions"]
    assert not failed([f"That is the highest close in the {n} sessions on record."], dollar)
    assert failed([f"That is the highest close in the {n + 1} sessions on record."], dollar)
    assert not failed([f"{n}-session high {dollar['price']['high52']:,.2f}"], dollar)
    assert failed([f"{n - 9}-session high {dollar['price']['high52']:,.2f}"], dollar)


def test_a_year_claim_with_a_year_of_sessions_stands(russell_crash: dict[str, Any]) -> None:
    low = f"{russell_crash['price']['low52']:,.2f}"
    assert not failed([f"Russell 2000 sets a 52-week intraday low of {low}."], russell_crash)


@pytest.mark.parametrize(
    "claim",
    [
        "Russell 2000 closes at a 52-week low.",  # the close was far above the low
        "Russell 2000 sets a fresh closing low.",
        "Russell 2000 sinks to a 52-week low of 1,732.99.",  # an intraday low, not said so
    ],
)
def test_an_intraday_extreme_called_a_close_is_rejected(
    russell_crash: dict[str, Any], claim: str
) -> None:
    assert "extreme" in failed([claim], russell_crash)


def test_the_headline_never_leads_with_an_extreme_against_the_close(
    russell_crash: dict[str, Any],
) -> None:
    headline = "Russell 2000 marks a one-year low of 1,732.99 intraday"
    assert not failed([headline], russell_crash)  # true in the body: it did, intraday
    assert "extreme" in failed([headline], russell_crash, headline=headline)  # not the story


def test_a_number_rounded_twice_is_rejected(russell_crash: dict[str, Any]) -> None:
    facts = {**russell_crash, "signals": {"components": {"risk": {"drawdown_pct": 3.7452}}}}
    assert not failed(["It trades 3.7% below its 52-week high."], facts)
    assert "typed" in failed(["It trades 3.8% below its 52-week high."], facts)  # 3.7452->3.75->3.8
    assert "percent" in failed(["It is 3.8% off."], facts)
    rounded = {**russell_crash, "signals": {"components": {"risk": {"drawdown_pct": 3.75}}}}
    assert not failed(["It trades 3.8% below its 52-week high."], rounded)  # 3.75 once is 3.8


def test_risk_keeps_its_inputs_raw_so_the_writer_rounds_once() -> None:
    risk = compute_risk(close=96.2548, atr14=1.23456, high52=100.0)
    assert risk.drawdown_pct == pytest.approx(3.7452)  # not 3.75
    assert risk.atr_pct == 100.0 * 1.23456 / 96.2548
    assert risk.missing == ("vol_pctile", "vix")


def test_a_typed_label_matches_its_own_fact(russell_crash: dict[str, Any]) -> None:
    facts = {
        **russell_crash,
        "signals": {"components": {"risk": {"drawdown_pct": 12.34, "atr_pct": 2.71}}},
    }
    assert not failed(
        ["Ranges are wide, or 2.7% of price; it trades 12.3% below its 52-week high."], facts
    )
    assert "typed" in failed(["It trades 2.7% below its 52-week high."], facts)  # the ATR share
    assert "typed" in failed(["Daily ranges run at 12.3% of price."], facts)  # the drawdown


SOURCES = [
    ("The New York Times", "The New York Times", "nytimes.com"),
    ("AT&T Wire & Markets", "AT&T Wire & Markets", "att.com"),
    ("Investing.com", "Investing.com", "investing.com"),
    (
        "AAPL - News and Analysis from Seeking Alpha",
        "AAPL - News and Analysis from Seeking Alpha",
        "seekingalpha.com",
    ),
    ("Yahoo Finance", "Yahoo Finance", "reuters.com"),  # an aggregator's copy of a Reuters story
    ("Handelsblatt – Märkte & Börse", "Handelsblatt – Märkte & Börse", "handelsblatt.com"),  # noqa: RUF001 (a real en dash)
    ("S&P Global", None, "spglobal.com"),
    ("Süddeutsche Zeitung", "Süddeutsche Zeitung – Wirtschaft", "sueddeutsche.de"),  # noqa: RUF001 (a real en dash)
    ("barrons.com", None, "barrons.com"),
]


@pytest.fixture
def sourced(russell_crash: dict[str, Any]) -> dict[str, Any]:
    news = [
        {"outlet": o, "feed_title": t, "domain": d, "published_at": "2025-04-09T14:00:00+00:00"}
        for o, t, d in SOURCES
    ]
    return {**russell_crash, "news": news}


@pytest.mark.parametrize(
    "cited",
    [
        "The most relevant item, from The New York Times on Apr 9, 2025, is downbeat.",
        "According to New York Times, buyers are back.",  # without "The"
        "According to AT&T Wire & Markets, the tape turned.",
        "The most relevant item, from AAPL - News and Analysis from Seeking Alpha on Apr 9, 2025, is neutral.",
        "Seeking Alpha reported heavy buying.",  # the outlet inside a feed title
        "Reuters reported heavy buying.",  # the aggregator copy's own domain
        "Investing.com noted the move.",
        "According to Handelsblatt – Märkte & Börse, buyers are back.",  # noqa: RUF001 (a real en dash)
        "Per Handelsblatt, the tape turned.",  # a part of the feed title
        "Per Suddeutsche Zeitung, the tape turned.",  # accents dropped
        "S&P Global reported the move.",
        "Barron's reported the move.",  # a domain's name
    ],
)
def test_an_outlet_in_any_form_of_its_source_fields_is_grounded(
    sourced: dict[str, Any], cited: str
) -> None:
    result = verify_texts([cited], sourced)
    assert result.ok, result.failed
    assert any(c.kind == "outlet" for c in result.claims)


@pytest.mark.parametrize(
    ("cited", "name"),
    [
        ("Bloomberg reported heavy buying.", "Bloomberg"),  # a real outlet not among the sources
        ("According to The Fictional Gazette, buyers are back.", "The Fictional Gazette"),
        ("Per Alpha, the tape turned.", "Alpha"),  # a fragment, not a name
    ],
)
def test_an_outlet_not_among_the_sources_is_rejected(
    sourced: dict[str, Any], cited: str, name: str
) -> None:
    result = verify_texts([cited], sourced)
    assert name in {c.text for c in result.failed}


def test_the_history_window_is_the_technicals_window() -> None:
    from tapewire.newsroom import stage as newsroom_stage
    from tapewire.technicals import stage as technicals_stage

    assert newsroom_stage.HISTORY_DAYS == technicals_stage.HISTORY_DAYS


def test_a_short_window_extreme_is_judged_on_the_writers_own_range(
    russell_crash: dict[str, Any],
) -> None:
    """ "Closes at a 20-session low" is the tape's closing range (newsroom/tape.py), not the
    year's: grounded only when this close is that range's low; the window must be the tape's."""
    at_low = {**russell_crash, "tape": {"range_days": 20, "range20_position_pct": 0.0}}
    mid = {**russell_crash, "tape": {"range_days": 20, "range20_position_pct": 42.0}}
    claim = "It closes at a 20-session low."
    assert not failed([claim], at_low)
    assert "extreme" in failed([claim], mid)
    assert "extreme" in failed(["It closes at a 20-session high."], at_low)
    assert "typed" in failed(["It sits mid-way in its 30-session range."], at_low)
    assert not failed(["It sits low in its 20-session range."], at_low)


def test_an_instruments_own_name_is_not_an_outlet_citation(
    russell_crash: dict[str, Any],
) -> None:
    """The Dow's name holds "Dow Jones", an outlet's name: naming the index cites no outlet, and
    a real citation of Dow Jones without such a source is still caught."""
    dow = {
        **russell_crash,
        "instrument": {"symbol": "^DJI", "name": "Dow Jones Industrial Average"},
    }
    assert not failed(["The Dow Jones Industrial Average gains on the day."], dow)
    assert "outlet" in failed(["Stocks rose, Dow Jones reported."], russell_crash)


@pytest.mark.parametrize(
    ("drawdown", "said"), [(1.2, True), (5.0, False), (12.0, True), (31.0, True)]
)
def test_the_drawdown_is_a_risk_only_near_the_high_or_deep_below_it(
    russell_crash: dict[str, Any], drawdown: float, said: bool
) -> None:
    """Issue #11 boilerplate: "It trades X% below its 52-week high" was the first risk of 89% of
    briefs. It is said only where it is a risk, and what is said verifies."""
    from tapewire.newsroom.writers.template import _drawdown_risk

    line = _drawdown_risk(drawdown, "52-week")
    assert (line is not None) == said
    if line is not None:
        facts = {**russell_crash, "signals": {"components": {"risk": {"drawdown_pct": drawdown}}}}
        assert not failed([line], facts)
        assert "typed" in failed([line.replace(f"{drawdown:.1f}%", f"{drawdown + 1:.1f}%")], facts)
