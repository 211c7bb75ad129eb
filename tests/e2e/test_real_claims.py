"""Claims within the data on real bars through the real CLI (issue #11): the US Dollar Index
with 139 sessions on record makes no year claim; the Russell 2000's crash-day intraday low of
Apr 9, 2025 does not lead the brief of a day that closed up 8.7%."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_data
from tests.e2e.test_real_brief import brief, run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("claims")
    db = tmp / "claims.db"
    prices = shared_data("prices")
    for symbol, path, name, *extra in (
        ("^GSPC", prices / "merged_index_series" / "^GSPC.csv", "S&P 500"),
        ("^VIX", prices / "merged_index_series" / "^VIX.csv", "CBOE Volatility Index"),
        (
            "^RUT",
            prices / "yahoo_long_to_2026-02" / "^RUT.csv",
            "Russell 2000",
            "--benchmark",
            "^GSPC",
        ),
        ("DX-Y.NYB", prices / "yahoo_long_to_2026-02" / "DX-Y.NYB.csv", "US Dollar Index"),
    ):
        run(tmp, db, "prices", "load", symbol, str(path), "--name", name, *extra)
    return tmp, db


def all_text(doc: dict[str, Any]) -> str:
    sec = doc["sections"]
    return "\n".join(
        [
            doc["headline"],
            doc["dek"],
            *sec["analysis"],
            *sec["watch"],
            *sec["risks"],
            *sec["opportunities"],
            sec["take"],
        ]
    )


def test_a_short_history_says_what_it_has_not_a_year(real_db: tuple[Path, Path]) -> None:
    """Issue #11: with 130-odd sessions stored, no "52-week" or "one-year" claim; the range
    levels are named by the sessions they span and Risk says the percentile is missing."""
    doc = brief(real_db, "DX-Y.NYB", "2026-02-01")
    history = doc["facts"]["history"]
    assert not history["full_year"] and 100 < history["sessions"] < 252
    text = all_text(doc)
    for overstated in ("52-week", "one-year", "past year"):
        assert overstated not in text
    label = f"{history['range_sessions']}-session"
    ranges = [lv for lv in doc["facts"]["levels"] if lv["kind"] in ("high52", "low52")]
    assert ranges and all(lv["label"].startswith(label) for lv in ranges)
    assert any(w.startswith((f"{label} high ", f"{label} low ")) for w in doc["sections"]["watch"])
    assert any(f"{history['sessions']} sessions on record" in r for r in doc["sections"]["risks"])
    assert doc["facts"]["price"]["realized_vol_pctile"] is None


def test_the_crash_day_intraday_low_does_not_lead_an_up_close(real_db: tuple[Path, Path]) -> None:
    """Issue #11: on Apr 9, 2025 the Russell 2000 set its 52-week low of 1,732.99 intraday and
    closed up 8.7%: the headline does not lead with that low, and the text calls no close a low."""
    doc = brief(real_db, "^RUT", "2025-04-10")
    facts = doc["facts"]
    assert facts["bar_date"] == "2025-04-09"
    assert facts["price"]["change_pct"] == pytest.approx(8.66, abs=0.01)
    assert facts["history"]["new_low_intraday"] and not facts["history"]["new_low_close"]
    assert " low" not in doc["headline"].lower()
    assert "closing low" not in all_text(doc)
