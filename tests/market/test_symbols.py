"""A bare symbol gets the name, class and benchmark a desk would give it (replay, prices load-dir)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from tapewire.cli import cli
from tapewire.market import queries as market_queries
from tapewire.market.symbols import asset_class_of, default_benchmark, known_name
from tapewire.pipeline.replay import default_spec
from tapewire.store import open_store
from tests.conftest import shared_data


def test_classes_names_and_benchmarks_of_well_known_symbols() -> None:
    assert [asset_class_of(s) for s in ("GC=F", "EURUSD=X", "^TNX", "SPY", "BTC-USD", "AAPL")] == [
        "Commodities",
        "Forex",
        "Rates",
        "ETFs",
        "Crypto",
        "Stocks",
    ]
    assert asset_class_of("^N100") == "Indices" and asset_class_of("ZC=F") == "Commodities"
    assert known_name("^GSPC") == "S&P 500" and known_name("gc=f") == "Gold"
    assert known_name("ACME") is None
    held = {"^GSPC", "SPY", "AAPL", "GLD", "^TNX"}
    assert default_benchmark("AAPL", held) == "^GSPC"
    assert default_benchmark("XLE", held) == "^GSPC"  # an equity sector fund
    assert default_benchmark("AAPL", {"SPY"}) == "SPY"  # the index not held: its ETF
    assert default_benchmark("AAPL", {"AAPL"}) is None  # no benchmark held: none invented
    for own in ("^GSPC", "SPY", "GLD", "^TNX", "GC=F", "EURUSD=X", "BTC-USD", "^VIX"):
        assert default_benchmark(own, held) is None, own  # not measured against stocks


def test_default_spec_names_a_listed_company_from_the_shipped_table() -> None:
    spec = default_spec("AAPL", "/x/AAPL.csv", {"^GSPC"})
    assert (spec.name, spec.asset_class, spec.benchmark_symbol) == ("Apple Inc.", "Stocks", "^GSPC")
    assert default_spec("GOOGL", "/x", set()).name == "Alphabet Inc."  # no "(Class A)"
    assert default_spec("ZZZQ", "/x", set()).name == "ZZZQ"  # unknown: the symbol itself


def test_load_dir_registers_real_files_with_names_and_a_benchmark(tmp_path: Path) -> None:
    """Real series from ../shared/data: before, GC=F was a "Stocks" instrument named "GC=F" and
    no stock had a benchmark (no relative strength, excess return = raw return)."""
    folder = tmp_path / "prices"
    folder.mkdir()
    shutil.copy(shared_data("prices", "merged_index_series", "^GSPC.csv"), folder / "^GSPC.csv")
    shutil.copy(shared_data("prices", "yahoo_long_to_2026-02", "GC=F.csv"), folder / "GC=F.csv")
    shutil.copy(
        shared_data("prices", "daily_2015_to_2026-02-27_normalized", "AAPL.csv"),
        folder / "AAPL.csv",
    )
    db = tmp_path / "t.db"
    result = CliRunner().invoke(cli, ["prices", "load-dir", str(folder), "--db", str(db)])
    assert result.exit_code == 0, result.output
    store = open_store(f"sqlite:///{db}")
    try:
        got = {
            i.symbol: (i.name, i.asset_class, i.benchmark_symbol)
            for i in market_queries.instruments(store)
        }
    finally:
        store.close()
    assert got == {
        "^GSPC": ("S&P 500", "Indices", None),
        "GC=F": ("Gold", "Commodities", None),
        "AAPL": ("Apple Inc.", "Stocks", "^GSPC"),
    }
