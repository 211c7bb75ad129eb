"""Issue #5's acceptance on real data, through the real CLI: real ^RUT, ^GSPC and ^VIX bars,
fifteen real large caps as ^GSPC constituents, and the real news feeds.

As of 2026-02-01 no stored headline is recent (the real feeds are from 2023 and older), so the
brief must say so and cite nothing; as of 2023-12-01 the real multi-outlet sitemaps of that day
are the news, and every outlet and date cited must be among them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_data
from tests.support.cli import tapewire

pytestmark = pytest.mark.e2e
LARGE_CAPS = [
    "AAPL",
    "MSFT",
    "NVDA",
    "AMZN",
    "GOOGL",
    "META",
    "TSLA",
    "JPM",
    "BA",
    "CVX",
    "GS",
    "JNJ",
    "PFE",
    "WMT",
    "XOM",
]


def run(tmp: Path, db: Path, *args: str) -> str:
    result = tapewire(tmp, "--db", str(db), *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("real")
    db = tmp / "real.db"
    prices = shared_data("prices")
    run(
        tmp,
        db,
        "prices",
        "load",
        "^GSPC",
        str(prices / "merged_index_series" / "^GSPC.csv"),
        "--name",
        "S&P 500",
    )
    run(
        tmp,
        db,
        "prices",
        "load",
        "^VIX",
        str(prices / "merged_index_series" / "^VIX.csv"),
        "--name",
        "CBOE Volatility Index",
    )
    run(
        tmp,
        db,
        "prices",
        "load",
        "^RUT",
        str(prices / "yahoo_long_to_2026-02" / "^RUT.csv"),
        "--name",
        "Russell 2000",
        "--benchmark",
        "^GSPC",
    )
    for symbol in LARGE_CAPS:
        path = prices / "daily_2015_to_2026-02-27_normalized" / f"{symbol}.csv"
        run(
            tmp,
            db,
            "prices",
            "load",
            symbol,
            str(path),
            "--member-of",
            "^GSPC",
            "--benchmark",
            "^GSPC",
        )
    feeds = sorted(str(p) for p in shared_data("feeds").rglob("*.xml"))
    tapewire(tmp, "--db", str(db), "ingest", *feeds)  # one HTML page among them is rejected
    return tmp, db


def brief(real_db: tuple[Path, Path], symbol: str, as_of: str) -> dict[str, Any]:
    tmp, db = real_db
    doc: dict[str, Any] = json.loads(
        run(tmp, db, "brief", symbol, "--as-of", as_of, "--format", "json")
    )
    assert doc["verification"]["ok"] and doc["verification"]["failed"] == 0
    assert doc["verification"]["checked"] > 30
    return doc


def test_russell_brief_as_of_2026_02_01_is_complete_and_grounded(
    real_db: tuple[Path, Path],
) -> None:
    doc = brief(real_db, "^RUT", "2026-02-01")
    facts = doc["facts"]
    assert facts["bar_date"] == "2026-01-30"
    assert facts["price"]["close"] == pytest.approx(2613.74, abs=0.01)
    for level in facts["levels"]:
        assert 1700 < level["price"] < 2800, level  # where the Russell really traded then
    assert doc["sources"] == []  # no headline of late January 2026 is stored
    assert any("No news items" in p for p in doc["sections"]["analysis"])
    assert facts["price"]["rs20_pct"] is not None and facts["benchmark"]["symbol"] == "^GSPC"
    assert any("^GSPC" in p for p in doc["sections"]["analysis"])
    assert doc["risk"]["components"]["vix_regime"] in {"calm", "normal", "elevated", "stressed"}
    assert "small-caps" in doc["tags"] and doc["category"] == "Indices"
    for section in ("headline", "dek"):
        assert doc[section]
    assert all(doc["sections"][k] for k in ("analysis", "watch", "risks", "take"))


def test_sp500_brief_as_of_2026_02_01_has_breadth_of_its_stored_constituents(
    real_db: tuple[Path, Path],
) -> None:
    doc = brief(real_db, "^GSPC", "2026-02-01")
    price = doc["facts"]["price"]
    assert price["breadth_members"] == 15.0
    assert 0.0 <= price["breadth_above"] <= 15.0
    line = f"Breadth: {price['breadth_above']:.0f} of 15 stored constituents"
    assert any(w.startswith(line) for w in doc["sections"]["watch"])
    assert "sp500" in doc["tags"]


def test_sp500_brief_as_of_2023_12_01_cites_the_real_outlets_of_that_day(
    real_db: tuple[Path, Path],
) -> None:
    doc = brief(real_db, "^GSPC", "2023-12-01T20:00:00Z")
    assert doc["facts"]["bar_date"] == "2023-11-30"
    assert len(doc["sources"]) >= 3
    assert all(s["published_at"] < "2023-12-01T20:00:00" for s in doc["sources"])
    outlets = {s["outlet"] for s in doc["sources"]}
    assert outlets <= {
        "Bloomberg",
        "Financial Times",
        "Fortune",
        "MarketWatch",
        "DailyFX",
        "The Economist",
    }
    cited = [c for c in doc["verification"]["claims"] if c["kind"] == "outlet"]
    assert cited and all(c["grounded"] for c in cited)
    assert any("Coverage came from" in p or "One story" in p for p in doc["sections"]["analysis"])
