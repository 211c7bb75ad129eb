"""The market brief's writer and verification on a hand-made fact sheet (pure): every asset's
sentence only when the asset is there, the missing ones named, and a level quoted for the wrong
asset caught by the per-asset check."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from tapewire.newsroom.facts import PARAMS
from tapewire.newsroom.market_brief import verify_market
from tapewire.newsroom.writers.market import MarketWriter


def asset(
    role: str, symbol: str, name: str, close: float, prev: float, **extra: Any
) -> dict[str, Any]:
    below, above = round(close * 0.98, 2), round(close * 1.03, 2)
    return {
        "role": role,
        "symbol": symbol,
        "name": name,
        "label": name,
        "unit": extra.pop("unit", "index"),
        "asset_class": "Indices",
        "bar_date": "2026-01-30",
        "close": close,
        "change1d": close - prev,
        "change1d_pct": (close / prev - 1) * 100,
        "return20_pct": 1.25,
        "return60_pct": -2.5,
        "price": {"close": close, "sma50": round(close * 0.97, 2)},
        "levels": [
            {
                "kind": "support",
                "price": below,
                "touches": 3,
                "distance_pct": (below / close - 1) * 100,
            },
            {
                "kind": "resistance",
                "price": above,
                "touches": 2,
                "distance_pct": (above / close - 1) * 100,
            },
        ],
        **extra,
    }


def sheet() -> dict[str, Any]:
    large = asset("large", "^GSPC", "S&P 500", 6939.03, 6969.01)
    small = asset("small", "^RUT", "Russell 2000", 2613.74, 2654.0)
    return {
        "kind": "market",
        "as_of": "2026-02-01T00:00:00+00:00",
        "simulated": False,
        "instrument": {"symbol": "MARKET", "name": "The market", "asset_class": "Macro"},
        "session": "2026-01-30",
        "assets": {"large": large, "small": small},
        "sectors": [],
        "pair": {
            "small": "^RUT",
            "large": "^GSPC",
            "sessions": 400,
            "bar_date": "2026-01-30",
            "spread_z60": 2.4,
            "return20_pct": 5.3,
            "bench_return20_pct": 1.4,
            "rel20_pct": 3.85,
            "return60_pct": 5.8,
            "bench_return60_pct": 1.3,
            "rel60_pct": 4.44,
        },
        "breadth": None,
        "missing": [
            {
                "role": "oil",
                "label": "oil",
                "symbol": "CL=F",
                "last_bar": "2026-01-22",
                "reason": "stale",
            },
            {
                "role": "bitcoin",
                "label": "bitcoin",
                "symbol": None,
                "last_bar": None,
                "reason": "no data",
            },
        ],
        "stories": [],
        "news": [],
        "signals": {"pulse": 55.0, "direction": "Neutral", "components": {}},
        "params": dict(PARAMS),
        "names": sorted(
            {"S&P 500", "Russell 2000", "^GSPC", "^RUT", "CL=F", "oil", "bitcoin"},
            key=lambda n: (-len(n), n),
        ),
    }


def test_the_brief_says_only_what_its_assets_hold_and_names_what_it_lacks() -> None:
    facts = sheet()
    draft = MarketWriter().write(facts)
    verification = verify_market(draft, facts)
    assert verification.ok, verification.failed
    text = "\n".join(draft.texts())
    assert "Russell 2000 outperforms it by 3.9% over 20 sessions" in draft.headline
    assert "oil (CL=F: last bar Jan 22, 2026, stale) and bitcoin (no data)" in text
    assert "Across assets" not in text and "Sectors:" not in text and "Breadth" not in text
    assert any("stretched" in r for r in draft.sections["risks"])  # z = 2.4
    assert "No story was linked" in text
    assert draft.tags[0] == "market" and "small-caps" in draft.tags


def test_a_level_quoted_for_the_wrong_asset_is_caught() -> None:
    """The S&P 500's support written on the Russell's watch line: both numbers are facts of the
    sheet, but not of that asset's sheet."""
    facts = sheet()
    draft = MarketWriter().write(facts)
    spx, rut = facts["assets"]["large"], facts["assets"]["small"]
    lines = list(draft.sections["watch"])
    wrong = lines[1].replace(
        f"{rut['levels'][0]['price']:,.2f}", f"{spx['levels'][0]['price']:,.2f}"
    )
    assert wrong != lines[1]
    roles = [
        (wrong if key == "small" else line, key) for line, key in draft.sections["watch_roles"]
    ]
    bad = replace(
        draft, sections={**draft.sections, "watch": [lines[0], wrong], "watch_roles": roles}
    )
    verification = verify_market(bad, facts)
    assert not verification.ok
    assert any(c.kind == "typed" and "support at" in c.text for c in verification.failed)


def test_a_pair_figure_with_the_wrong_sign_is_caught() -> None:
    facts = sheet()
    flipped = copy.deepcopy(facts)
    flipped["pair"]["rel20_pct"] = -3.85  # the text says "outperformed by 3.9%"
    draft = MarketWriter().write(facts)
    assert not verify_market(draft, flipped).ok


def test_market_brief_wording_read_on_a_real_replay() -> None:
    """Found reading the 2023-12-01 replay's market brief: "Large-cap index (^GSPC) (^GSPC)"
    for an index stored unnamed, "Energy (XLE, up 0.5%) led" with one sector stored, and a
    "Heat 34" on every top story (the reached instruments' Heat, not the story's)."""
    from tapewire.newsroom.writers import market as writer

    unnamed = {
        "symbol": "^GSPC",
        "name": "^GSPC",
        "label": "Large-cap index (^GSPC)",
        "role": "large",
    }
    assert writer._named(unnamed) == "Large-cap index (^GSPC)"
    named = {**unnamed, "name": "S&P 500"}
    assert writer._named(named) == "S&P 500 (^GSPC)"
    energy = {"label": "Energy", "symbol": "XLE", "change1d_pct": 0.5}
    one = writer._sectors({"sectors": [energy]})
    assert one is not None and "led" not in one and "only Energy (XLE, up 0.5%)" in one
    two = writer._sectors({"sectors": [energy, {**energy, "label": "Tech", "symbol": "XLK"}]})
    assert two is not None and "led" in two
    story = {
        "headline": "Israel resumes fighting against Hamas, says IDF",
        "outlet": "Financial Times",
        "published_at": "2023-12-01T08:00:00+00:00",
        "outlet_count": 3,
        "heat": 34,
    }
    text = writer._stories({"stories": [story]})
    assert "3 outlets" in text and "Heat" not in text


def test_a_move_that_rounds_to_zero_is_flat_not_a_slip_of_nought() -> None:
    """The demo's market brief read "Demo Market 500 slips 0.0%; Demo Small Cap 2000 outperforms
    it by 0.2%": a -0.03% session is flat, and a 0.0% gap is keeping pace."""
    f = sheet()
    f["assets"]["large"] = asset("large", "^GSPC", "S&P 500", 6939.03, 6941.0)  # -0.03%
    draft = MarketWriter().write(f)
    assert draft.headline.startswith("S&P 500 ends flat; Russell 2000 outperforms it by 3.9%")
    assert "0.0%" not in draft.headline
    f["pair"] = {**f["pair"], "rel20_pct": -0.04}
    draft = MarketWriter().write(f)
    assert draft.headline == "S&P 500 ends flat; Russell 2000 keeps pace with it over 20 sessions"
    assert verify_market(draft, f).ok


def test_the_days_standout_move_heads_the_brief_with_the_index() -> None:
    """On the real session of Dec 1, 2023 the Russell 2000 jumped 3.0% against the S&P 500's
    0.6%, and the headline gave the 20-session comparison instead ("Russell 2000 outperforms it
    by 2.1% over 20 sessions"). The largest move against its threshold now heads it."""
    f = sheet()
    f["assets"]["large"] = asset("large", "^GSPC", "S&P 500", 4594.63, 4567.80)  # +0.6%
    f["assets"]["small"] = asset("small", "^RUT", "Russell 2000", 1862.64, 1808.02)  # +3.0%
    tnx = asset("yield", "^TNX", "10-year Treasury yield", 4.23, 4.36, unit="yield")
    f["assets"]["yield"] = {**tnx, "yield_pct": 4.23, "change1d_bp": -13}
    f["names"] = sorted({*f["names"], "^TNX", "10-year Treasury yield"}, key=lambda n: (-len(n), n))
    draft = MarketWriter().write(f)
    assert draft.headline == "S&P 500 rises 0.6% as Russell 2000 jumps 3.0%"
    assert verify_market(draft, f).ok, verify_market(draft, f).failed
    f["assets"]["small"] = asset("small", "^RUT", "Russell 2000", 1815.0, 1808.02)  # in step
    draft = MarketWriter().write(f)
    assert draft.headline == "S&P 500 rises 0.6% as the 10-year Treasury yield falls 13 bp"
    assert verify_market(draft, f).ok, verify_market(draft, f).failed
    f["assets"]["yield"]["change1d_bp"] = -4  # nothing stands out: the 20-session reading
    assert "over 20 sessions" in MarketWriter().write(f).headline


def test_a_yields_level_is_in_basis_points_and_a_level_at_the_close_is_just_there() -> None:
    """ "10-year Treasury yield (^TNX) at 4.23%: round number at 4.25 (0.6% above)" and "Gold
    (GC=F) at 2,071.00: ... resistance at 2,072.00 (0.0% above)" on the real Dec 1, 2023 brief."""
    f = sheet()
    tnx = asset("yield", "^TNX", "10-year Treasury yield", 4.23, 4.36, unit="yield")
    tnx["levels"] = [
        {"kind": "round", "price": 4.25, "touches": 3, "distance_pct": 0.47, "distance_bp": 2}
    ]
    f["assets"]["yield"] = {**tnx, "yield_pct": 4.23, "change1d_bp": -13}
    gold = asset("gold", "GC=F", "Gold", 2071.0, 2038.0)
    gold["levels"] = [{"kind": "resistance", "price": 2072.0, "touches": 2, "distance_pct": 0.048}]
    f["assets"]["gold"] = gold
    f["names"] = sorted(
        {*f["names"], "^TNX", "10-year Treasury yield", "GC=F", "Gold"}, key=lambda n: (-len(n), n)
    )
    draft = MarketWriter().write(f)
    watch = "\n".join(draft.sections["watch"])
    assert "round number at 4.25 (2 bp above)" in watch
    assert "resistance at 2,072.00 (just above)" in watch and "0.0%" not in watch
    assert verify_market(draft, f).ok, verify_market(draft, f).failed


def test_the_text_brief_leaves_out_an_empty_section() -> None:
    from tapewire.cli import render_brief_text

    f = sheet()
    draft = MarketWriter().write(f)
    doc = {
        "headline": draft.headline,
        "dek": draft.dek,
        "sections": draft.sections,
        "sources": [],
        "verification": {"checked": 1, "failed": 0},
        "tags": list(draft.tags),
        "read_minutes": 1,
        "writer": draft.writer,
    }
    text = render_brief_text(doc)
    assert draft.sections["opportunities"] == [] and "Opportunities" not in text
    assert "Risks" in text


def test_the_dek_names_the_days_other_moves_not_a_table_of_contents() -> None:
    """Every day's dek read "The session of ...: large against small caps, sectors, rates, the
    dollar, oil, gold, volatility and crypto, with the day's top stories." Now it names the moves
    the headline did not, largest against its threshold first."""
    f = sheet()
    f["assets"]["large"] = asset("large", "^GSPC", "S&P 500", 4594.63, 4567.80)
    f["assets"]["small"] = asset("small", "^RUT", "Russell 2000", 1862.64, 1808.02)  # headline
    tnx = asset("yield", "^TNX", "10-year Treasury yield", 4.23, 4.36, unit="yield")
    f["assets"]["yield"] = {**tnx, "yield_pct": 4.23, "change1d_bp": -13}
    f["assets"]["gold"] = asset("gold", "GC=F", "Gold", 2071.0, 2038.4)  # +1.6%
    f["assets"]["vix"] = asset("vix", "^VIX", "Cboe Volatility Index", 12.63, 12.92)  # -2.2%
    f["names"] = sorted(
        {
            *f["names"],
            "^TNX",
            "10-year Treasury yield",
            "GC=F",
            "Gold",
            "^VIX",
            "VIX",
            "Cboe Volatility Index",
        },
        key=lambda n: (-len(n), n),
    )
    draft = MarketWriter().write(f)
    assert draft.headline == "S&P 500 rises 0.6% as Russell 2000 jumps 3.0%"
    assert draft.dek.startswith(
        "Elsewhere in the session of Jan 30, 2026: the 10-year Treasury yield fell 13 bp, Gold "
        "rose 1.6% and the VIX fell 2.2%."
    ), draft.dek
    assert verify_market(draft, f).ok, verify_market(draft, f).failed
