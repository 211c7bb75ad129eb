"""Coherence rules (issue #11 part 3), adversarially: each rule catches the contradiction it is
for on a real demo fact sheet, the one rewrite removes it and still verifies, a rewrite that
cannot verify is not published, and every brief the demo publishes is coherent."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from tapewire.clock import FixedClock
from tapewire.demo.run import run_demo
from tapewire.newsroom import queries
from tapewire.newsroom.coherence import (
    CoherenceError,
    check_coherence,
    cohere,
    rewrite,
)
from tapewire.newsroom.verify import verify_draft
from tapewire.newsroom.writers.base import Draft
from tapewire.newsroom.writers.template import TemplateWriter
from tapewire.store import open_store
from tests.conftest import DEMO_AS_OF


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tapewire.config import load_settings

    tmp = tmp_path_factory.mktemp("coherence")
    settings = load_settings(
        data_dir=tmp, db={"url": str(tmp / "c.db")}, http={"allow_private_urls": True}
    )
    summary = run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(settings.database_url())
    try:
        views = queries.list_briefs(store, limit=20)
        docs = [queries.brief_document(v) for v in views]
    finally:
        store.close()
    facts = {v.instruments[0]: v.facts for v in views if v.instruments}  # not the market brief
    return {"summary": summary, "facts": facts, "docs": docs}


def facts_of(demo: dict[str, Any], symbol: str = "ACME") -> dict[str, Any]:
    return copy.deepcopy(demo["facts"][symbol])


def with_take(draft: Draft, take: str) -> Draft:
    return replace(draft, sections={**draft.sections, "take": take})


def written(facts: dict[str, Any]) -> Draft:
    """The template's draft as published: coherent (rewritten once where it was not)."""
    draft, _ = cohere(TemplateWriter().write(facts), facts)
    assert check_coherence(draft, facts) == []
    return draft


def rules(draft: Draft, facts: dict[str, Any]) -> set[str]:
    return {p.rule for p in check_coherence(draft, facts)}


def fixed(draft: Draft, facts: dict[str, Any]) -> Draft:
    """The one rewrite: coherent afterwards, and it still verifies."""
    out = rewrite(draft, check_coherence(draft, facts), facts)
    assert check_coherence(out, facts) == []
    result = verify_draft(out, facts)
    assert result.ok, [c.text for c in result.failed]
    return out


def test_every_published_demo_brief_is_coherent(demo: dict[str, Any]) -> None:
    assert demo["summary"]["rejected"] == 0
    for doc in demo["docs"]:
        if doc["slug"].startswith("market-"):
            continue  # the market brief has its own writer and checks (newsroom/market_brief.py)
        draft = Draft(doc["headline"], doc["dek"], doc["sections"], tuple(doc["tags"]), "stored")
        assert check_coherence(draft, doc["facts"]) == [], doc["slug"]


def bullish_with_macd_below(facts: dict[str, Any]) -> dict[str, Any]:
    facts["signals"]["direction"] = "Bullish"
    for c in facts["signals"]["components"]["pulse"]:
        if c["name"] in ("trend", "momentum"):
            c["value"] = 0.4
    facts["price"]["macd_hist"] = -0.8  # "MACD runs below its signal line" in the drivers
    return facts


def test_a_take_that_says_trend_and_momentum_agree_against_the_macd_is_rewritten(
    demo: dict[str, Any],
) -> None:
    facts = bullish_with_macd_below(facts_of(demo))
    draft = with_take(
        written(facts),
        "Trend and momentum agree: the bias is up while support holds.",
    )
    assert "MACD runs below its signal line" in " ".join(draft.texts())
    (problem,) = check_coherence(draft, facts)
    assert problem.rule == "take_components" and "MACD" in problem.why
    out = fixed(draft, facts)
    assert "agree" not in out.sections["take"] and "Bullish" in out.sections["take"]
    assert any(n.startswith("coherence rewrite: take_components") for n in out.notes)


@pytest.mark.parametrize(
    ("direction", "take"),
    [
        ("Bearish", "Buyers are in control; a close under support would be the first crack."),
        ("Bullish", "Sellers have the upper hand until resistance is reclaimed."),
        ("Bullish", "No edge either way: let the levels decide."),
    ],
)
def test_a_take_against_the_read_is_rewritten(
    demo: dict[str, Any], direction: str, take: str
) -> None:
    facts = facts_of(demo)
    facts["signals"]["direction"] = direction
    draft = with_take(written(facts), take)
    assert "take_components" in rules(draft, facts)
    fixed(draft, facts)


def test_a_take_citing_support_with_no_level_below_is_rewritten(demo: dict[str, Any]) -> None:
    facts = facts_of(demo)
    close = facts["price"]["close"]
    facts["levels"] = [lv for lv in facts["levels"] if lv["price"] > close]
    draft = with_take(written(facts), "Bullish, with risk elevated: respect the nearest support.")
    assert "take_components" in rules(draft, facts)


def low_risk_elevated_vix(facts: dict[str, Any]) -> dict[str, Any]:
    facts["signals"]["risk"] = "Low"
    facts["signals"]["components"]["risk"] |= {"vix": 24.5, "vix_regime": "elevated"}
    return facts


def test_risk_low_beside_an_elevated_vix_regime_must_say_why(demo: dict[str, Any]) -> None:
    facts = low_risk_elevated_vix(facts_of(demo))
    said = "The VIX regime is elevated, which tends to widen daily ranges."
    draft = written(facts)
    assert said not in draft.sections["risks"]  # the writer says why Risk stays Low
    assert rules(draft, facts) == set()
    bad = replace(draft, sections={**draft.sections, "risks": [*draft.sections["risks"], said]})
    (problem,) = check_coherence(bad, facts)
    assert problem.rule == "risk_regime" and problem.part == "risks"
    assert said not in fixed(bad, facts).sections["risks"]


def test_a_regime_other_than_the_fact_sheets_is_caught(demo: dict[str, Any]) -> None:
    facts = low_risk_elevated_vix(facts_of(demo))
    draft = written(facts)
    bad = replace(
        draft,
        sections={**draft.sections, "risks": [*draft.sections["risks"], "The VIX regime is calm."]},
    )
    assert "risk_regime" in rules(bad, facts)


def test_a_headline_moving_against_the_close_is_rewritten(demo: dict[str, Any]) -> None:
    facts = facts_of(demo)
    change = facts["price"]["change_pct"]
    verb = "falls" if change > 0 else "rises"
    draft = written(facts)
    bad = replace(draft, headline=f"{facts['instrument']['name']} {verb} on the day")
    (problem,) = check_coherence(bad, facts)
    assert problem.rule == "direction" and problem.part == "headline"
    out = fixed(bad, facts)
    assert ("rises" if change > 0 else "falls") in out.headline


def test_a_high_headlined_on_a_down_close_is_caught(demo: dict[str, Any]) -> None:
    facts = facts_of(demo)
    facts["price"]["change_pct"] = -1.2
    draft = replace(written(facts), headline="Acme Robotics Inc. hits a new high")
    assert "direction" in rules(draft, facts)


def test_a_dek_giving_another_read_is_rewritten(demo: dict[str, Any]) -> None:
    facts = facts_of(demo)
    other = "Bearish" if facts["signals"]["direction"] != "Bearish" else "Bullish"
    draft = written(facts)
    bad = replace(draft, dek=f"{draft.dek} Pulse reads {other}.")  # the writer's dek + a wrong read
    assert bad.dek != draft.dek
    (problem,) = check_coherence(bad, facts)
    assert problem.rule == "direction" and problem.part == "dek"
    assert f"reads {facts['signals']['direction']}" in fixed(bad, facts).dek


def test_an_index_and_its_fund_reading_opposite_ways_say_why(demo: dict[str, Any]) -> None:
    facts = facts_of(demo, "^MKT")
    fund = demo["facts"]["MKTX"]
    mine = facts["signals"]["direction"]
    theirs = "Bearish" if mine == "Bullish" else "Bullish"
    facts["signals"]["direction"] = "Bullish" if theirs == "Bearish" else "Bearish"
    facts["twin"] = {
        "symbol": "MKTX",
        "is_fund": True,
        "direction": theirs,
        "pulse": fund["signals"]["pulse"],
        "components": fund["signals"]["components"]["pulse"],
    }
    draft = TemplateWriter().write(facts)  # the writer does not know the twin
    (problem,) = [p for p in check_coherence(draft, facts) if p.rule == "twin"]
    assert "MKTX" in problem.why
    out = fixed(draft, facts)
    (said,) = [t for t in out.sections["analysis"] if "MKTX" in t]
    assert f"reads {theirs}" in said and "part ways on" in said
    facts["twin"]["direction"] = facts["signals"]["direction"]  # the same way: nothing to say
    assert "twin" not in rules(draft, facts)


def test_a_rewrite_that_does_not_verify_is_not_published(demo: dict[str, Any]) -> None:
    facts = bullish_with_macd_below(facts_of(demo))
    draft = written(facts)
    bad = with_take(draft, "Trend and momentum agree: the bias is up while support holds.")
    bad = replace(
        bad, sections={**bad.sections, "analysis": [*bad.sections["analysis"], "Pulse 99/100."]}
    )
    with pytest.raises(CoherenceError, match="brief rejected"):
        cohere(bad, facts)
    good = with_take(draft, "Trend and momentum agree: the bias is up while support holds.")
    out, verification = cohere(good, facts)
    assert verification is not None and verification.ok and "agree" not in out.sections["take"]
