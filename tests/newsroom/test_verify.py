"""The verifier catches planted wrong numbers, stale levels, invented outlets and dates; every
claim of every brief written on ten consecutive demo days (a weekend included) verifies."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.demo.run import run_demo
from tapewire.newsroom import queries
from tapewire.newsroom.models import Brief, Verification
from tapewire.newsroom.verify import verify_texts
from tapewire.newsroom.writers.template import TemplateWriter
from tapewire.store import open_store
from tests.conftest import DEMO_AS_OF


@pytest.fixture
def acme_facts(settings: Settings) -> dict[str, Any]:
    run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(settings.database_url())
    try:
        view = queries.get_brief(store, "acme-2026-11-20")
    finally:
        store.close()
    assert view is not None
    return view.facts


def texts(facts: dict[str, Any]) -> list[str]:
    return TemplateWriter().write(facts).texts()


def test_the_unmodified_brief_verifies(acme_facts: dict[str, Any]) -> None:
    result = verify_texts(texts(acme_facts), acme_facts)
    assert result.ok and len(result.claims) > 20
    assert {c.kind for c in result.claims} >= {"number", "percent", "date", "outlet"}


@pytest.mark.parametrize(
    ("planted", "caught"),
    [
        ("Acme Robotics Inc. closed at 191.37 on Nov 19, 2026.", "191.37"),  # a wrong price
        ("It rose 7.9% on the day.", "7.9%"),  # a wrong percentage
        ("Support 4,900.00 (3 touches, last on Oct 2, 2026)", "4,900.00"),  # a stale level
        (
            "The most relevant item, from The Fictional Gazette on Nov 19, 2026, is upbeat in tone.",
            "The Fictional Gazette",
        ),  # an invented outlet
        ("According to Market Watchers Weekly, buyers are back.", "Market Watchers Weekly"),
        (
            "Reuters reported heavy buying.",
            "Reuters",
        ),  # a real outlet that is not among the sources
        ("The stock peaked on Mar 3, 2025.", "Mar 3, 2025"),  # a date not in the facts
        ("Pulse 88/100 reads Bullish.", "88"),  # a score that was not computed
    ],
)
def test_planted_errors_are_caught(acme_facts: dict[str, Any], planted: str, caught: str) -> None:
    result = verify_texts([*texts(acme_facts), planted], acme_facts)
    assert not result.ok
    assert caught in {c.text for c in result.failed}


def test_every_brief_of_ten_demo_days_verifies(settings: Settings) -> None:
    start = DEMO_AS_OF - timedelta(days=9)  # Wednesday Nov 11 .. Friday Nov 20, a weekend inside
    for n in range(10):
        as_of = start + timedelta(days=n)
        summary = run_demo(settings, as_of=as_of, clock=FixedClock(as_of))
        assert summary["errors"] == [], (as_of, summary["errors"])
    store = open_store(settings.database_url())
    try:
        with store.read() as s:
            rows = s.execute(
                select(Brief.slug, Brief.as_of, Brief.instruments, Verification).join(
                    Verification, Verification.brief_id == Brief.id
                )
            ).all()
    finally:
        store.close()
    assert all(v.ok and v.failed == 0 and v.checked > 20 for *_, v in rows)
    by_day: dict[str, set[str]] = {}
    for _slug, as_of, instruments, _v in rows:
        by_day.setdefault(as_of.date().isoformat(), set()).update(instruments)
    everything = {"^MKT", "^SMC", "MKTX", "ACME", "DCN-USD"}
    assert by_day["2026-11-14"] == everything  # as of Saturday 00:00, Friday's session is new
    assert by_day["2026-11-15"] == {"DCN-USD"}  # Sunday: no equity session since
    assert by_day["2026-11-16"] == {"DCN-USD"}  # Monday 00:00: still none
    assert by_day["2026-11-17"] == everything
    claims = sum(v.checked for *_, v in rows)
    assert claims > 1000, json.dumps({"briefs": len(rows), "claims": claims})


def test_a_real_number_under_the_wrong_label_is_caught(acme_facts: dict[str, Any]) -> None:
    """Every planted number exists in the facts, but not as what the sentence calls it."""
    p = acme_facts["price"]
    above = [lv["price"] for lv in acme_facts["levels"] if lv["price"] > p["close"]]
    assert above, "the demo brief should have a level above the close"
    swaps = [
        f"Support at {above[0]:,.2f} holds the line.",  # a level above the close called support
        f"RSI 14 is {acme_facts['signals']['pulse']:.1f} and rising.",  # the Pulse called RSI
        f"It closed at {p['sma50']:,.2f} on the day.",  # the 50-day average called the close
        f"Pulse {acme_facts['signals']['threat']}/100 is the read.",  # the threat called Pulse
    ]
    for planted in swaps:
        result = verify_texts([planted], acme_facts)
        assert not result.ok, planted
        assert [c.kind for c in result.failed] == ["typed"], planted
    right = f"Support at {min(lv['price'] for lv in acme_facts['levels']):,.2f}."
    assert verify_texts([right], acme_facts).ok


def test_quotes_must_come_from_a_source(acme_facts: dict[str, Any]) -> None:
    title = acme_facts["news"][0]["title"]
    quoted = verify_texts([f"One outlet put it plainly: “{title}”."], acme_facts)
    assert quoted.ok and [c.kind for c in quoted.claims] == ["quote"]
    invented = verify_texts(["As one desk put it: “ACME to triple by 2027”."], acme_facts)
    assert not invented.ok and invented.failed[0].kind == "quote"


def test_a_move_told_the_wrong_way_is_caught(acme_facts: dict[str, Any]) -> None:
    change = acme_facts["price"]["change_pct"]
    right, wrong = ("rises", "falls") if change > 0 else ("falls", "rises")
    assert verify_texts([f"Acme {right} {abs(change):.1f}% on the day."], acme_facts).ok
    result = verify_texts([f"Acme {wrong} {abs(change):.1f}% on the day."], acme_facts)
    assert not result.ok and [c.kind for c in result.failed] == ["direction"]
    # "below"/"above" say where, not which way: a drawdown is a positive fact written "below"
    drawdown = acme_facts["signals"]["components"]["risk"]["drawdown_pct"]
    assert verify_texts([f"It trades {drawdown:.1f}% below its high."], acme_facts).ok


def test_a_percentage_must_be_a_percentage_of_the_facts(acme_facts: dict[str, Any]) -> None:
    """The Pulse score is a fact, but not a percentage: written with "%" it is not grounded."""
    pulse = acme_facts["signals"]["pulse"]
    assert verify_texts([f"Pulse {pulse:.1f}/100."], acme_facts).ok
    result = verify_texts([f"Its odds stand at {pulse:.1f}% this week."], acme_facts)
    assert not result.ok and result.failed[0].text == f"{pulse:.1f}%"
