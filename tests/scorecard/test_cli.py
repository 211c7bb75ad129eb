"""`tapewire backtest` and `tapewire scorecard` through the real entry point, on real bars."""

from __future__ import annotations

import json
from pathlib import Path

from tapewire.market.providers.csvfile import parse_csv_bars
from tests.conftest import shared_data
from tests.support.cli import tapewire


def _cut(path: Path, start: str, end: str) -> str:
    """The file's bars in [start, end] as a plain Date,Open,High,Low,Close,Volume CSV."""
    rows = ["Date,Open,High,Low,Close,Volume"] + [
        f"{b.bar_date},{b.open!r},{b.high!r},{b.low!r},{b.close!r},{b.volume!r}"
        for b in parse_csv_bars(path.read_bytes()).bars
        if start <= b.bar_date.isoformat() <= end
    ]
    return "\n".join(rows) + "\n"


def test_backtest_stores_graded_calls_and_scorecard_reads_them(tmp_path: Path) -> None:
    db = str(tmp_path / "bt.db")
    for symbol, rel, cls, bench in (
        ("^GSPC", "merged_index_series/^GSPC.csv", "Indices", None),
        ("SPY", "yahoo_long_to_2026-02/SPY.csv", "ETFs", "^GSPC"),
    ):
        csv = tmp_path / f"{symbol}.csv"
        csv.write_text(_cut(shared_data("prices", *rel.split("/")), "2017-01-01", "2020-12-31"))
        args = ["prices", "load", symbol, str(csv), "--db", db, "--asset-class", cls]
        if bench:
            args += ["--benchmark", bench]
        loaded = tapewire(tmp_path, *args)
        assert loaded.returncode == 0, loaded.stderr
    result = tapewire(
        tmp_path,
        "backtest",
        "SPY",
        "^GSPC",
        "--from",
        "2019-01-01",
        "--to",
        "2019-12-31",
        "--db",
        db,
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["calls"] == 2 * 252  # one call per session per instrument
    card = data["scorecard"]
    assert card["n_calls"] == 504 and card["kinds"] == {"backtest": 504}
    assert card["with_news"] == 0  # a backtest has no news component, and says so
    assert set(card["hit"]["5"]) == {
        "pulse",
        "always_bullish",
        "momentum_sign",
        "random_same_rates",
    }
    ic = card["ic"]["5"]["pulse"]
    assert ic["low"] <= ic["value"] <= ic["high"]
    again = tapewire(tmp_path, "scorecard", "--kind", "backtest", "--db", db)
    assert again.returncode == 0, again.stderr
    assert "504 graded calls" in again.stdout and "hit rate 5d: Pulse" in again.stdout
    live = tapewire(tmp_path, "scorecard", "--db", db, "--format", "json")
    assert json.loads(live.stdout)["n_calls"] == 0  # backtests are not the live record
    bad = tapewire(
        tmp_path, "backtest", "NOPE", "--from", "2019-01-01", "--to", "2019-02-01", "--db", db
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "NOPE" in bad.stderr
