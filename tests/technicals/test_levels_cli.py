"""`tapewire levels` over real index history (the issue's acceptance): zones, touches and last
touch near where the index traded as of 2026-02-01, in text and JSON, through the real CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import shared_data
from tests.support.cli import tapewire

CASES = {
    "^GSPC": (("prices", "merged_index_series", "^GSPC.csv"), 6939.03),
    "^RUT": (("prices", "yahoo_long_to_2026-02", "^RUT.csv"), 2613.74),
}


@pytest.mark.parametrize("symbol", list(CASES))
def test_levels_command_prints_zones_touches_and_last_touch(tmp_path: Path, symbol: str) -> None:
    parts, close = CASES[symbol]
    db = str(tmp_path / "t.db")
    loaded = tapewire(tmp_path, "prices", "load", symbol, str(shared_data(*parts)), "--db", db)
    assert loaded.returncode == 0, loaded.stderr
    as_json = tapewire(
        tmp_path, "levels", symbol, "--as-of", "2026-02-01", "--db", db, "--format", "json"
    )
    assert as_json.returncode == 0, as_json.stderr
    doc = json.loads(as_json.stdout)
    assert doc["bar_date"] == "2026-01-30" and round(doc["close"], 2) == close
    atr = doc["atr14"]
    for lv in doc["levels"]:
        assert abs(lv["price"] - close) <= 5 * atr, lv  # near where it traded, not 4,800/4,900
        assert lv["evidence"] and lv["touches"] >= 1 and lv["last_touch_date"] <= "2026-01-30"
        assert lv["last_touch_date"] in lv["touch_dates"] or lv["kind"] in ("high52", "low52")
        if lv["kind"] in ("support", "resistance", "round"):
            assert lv["zone_low"] <= lv["price"] <= lv["zone_high"]
    assert any(lv["kind"] == "support" and lv["touches"] > 1 for lv in doc["levels"])
    text = tapewire(tmp_path, "levels", symbol, "--as-of", "2026-02-01", "--db", db)
    assert text.returncode == 0, text.stderr
    support = next(lv for lv in doc["levels"] if lv["kind"] == "support")
    row = next(line for line in text.stdout.splitlines() if f"{support['price']:,.2f}" in line)
    assert f"{support['zone_low']:,.2f} - {support['zone_high']:,.2f}" in row
    assert str(support["touches"]) in row and support["last_touch_date"] in row
    assert date.fromisoformat(support["last_touch_date"]) > date(2025, 6, 1)  # a recent test
