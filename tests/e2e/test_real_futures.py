"""Index futures on real bars: the desk names them as readers do ("S&P 500 futures", "Russell
2000 futures"), and the digits of those names are the instrument's name, not claims. A replay of
the 2023-12-01 sitemaps had every ES=F and RTY=F brief rejected by the verifier for an ungrounded
'500' or '2000'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tapewire.market.symbols import KNOWN
from tests.conftest import shared_data
from tests.support.cli import tapewire

pytestmark = pytest.mark.e2e
FUTURES = ("ES=F", "RTY=F", "NQ=F", "YM=F", "CL=F")


@pytest.mark.parametrize("symbol", FUTURES)
def test_an_index_future_brief_verifies_with_its_name_in_the_text(
    tmp_path: Path, symbol: str
) -> None:
    db = tmp_path / "f.db"
    path = shared_data("prices") / "yahoo_long_to_2026-02" / f"{symbol}.csv"
    loaded = tapewire(tmp_path, "--db", str(db), "prices", "load", symbol, str(path))
    assert loaded.returncode == 0, loaded.stderr
    out = tapewire(
        tmp_path, "--db", str(db), "brief", symbol, "--as-of", "2023-12-01", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["verification"]["ok"] and doc["verification"]["failed"] == 0
    text = " ".join([doc["headline"], doc["dek"], *doc["sections"]["analysis"]])
    assert symbol in text or "futures" in text or "crude" in text
    assert "futures trades" not in text  # "S&P 500 futures trade nearly around the clock"
    index_future = symbol in ("ES=F", "RTY=F", "NQ=F", "YM=F")  # filed under "Indices"
    assert ("index-futures" in doc["tags"]) == index_future
    assert ("commodities" in doc["tags"]) == (not index_future)
    assert ("indices" in doc["tags"]) is False  # the cash index's tag is not the future's
    assert doc["category"] == ("Indices" if index_future else "Commodities")  # the page's chip
    if index_future:  # one name: "S&P 500 E-mini future gains", "S&P 500 E-mini futures trade"
        name = KNOWN[symbol].name
        whole = " ".join(
            [
                text,
                *doc["sections"]["watch"],
                *doc["sections"]["risks"],
                str(doc["sections"]["take"]),
            ]
        )
        assert whole.count("futures") == whole.count(f"{name}s"), whole


def test_the_sp500_future_cites_the_index_news_of_the_day(tmp_path: Path) -> None:
    """On the real 2023-12-01 sitemaps, S&P 500 futures led with a Bloomberg opinion column
    reached through the "economy" theme, while the day's S&P 500 headlines went to ^GSPC alone.
    A future that tracks the index reads the index's named news, and the brief says so."""
    db = tmp_path / "f.db"
    prices = shared_data("prices")
    for symbol, rel in (
        ("^GSPC", "merged_index_series/^GSPC.csv"),
        ("ES=F", "yahoo_long_to_2026-02/ES=F.csv"),
    ):
        done = tapewire(tmp_path, "--db", str(db), "prices", "load", symbol, str(prices / rel))
        assert done.returncode == 0, done.stderr
    feeds = sorted(
        str(p) for p in shared_data("feeds", "news_sitemaps_2023-12-01_mangled").glob("*.xml")
    )
    assert tapewire(tmp_path, "--db", str(db), "ingest", *feeds).returncode == 0
    out = tapewire(
        tmp_path, "--db", str(db), "brief", "ES=F", "--as-of", "2023-12-01", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["verification"]["ok"] and doc["verification"]["failed"] == 0
    analysis = " ".join(doc["sections"]["analysis"])
    assert "(a mention of the S&P 500, which it tracks)" in analysis
    lead = doc["sources"][0]["title"]
    assert "S&P 500" in lead or "stocks" in lead.lower() or "stock market" in lead.lower(), lead
