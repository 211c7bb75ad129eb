"""A store replayed with ``tapewire replay`` over real data: the real 2023-12-01 news sitemaps
(named links and theme links both reach these instruments) and real daily bars from
``../shared/data/prices`` (tests skip when the shared data is absent)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.conftest import shared_data
from tests.support.cli import tapewire

PRICES = {
    "^GSPC": "merged_index_series/^GSPC.csv",
    "^TNX": "yahoo_long_to_2026-02/^TNX.csv",
    "CL=F": "yahoo_long_to_2026-02/CL=F.csv",
    "SPY": "yahoo_long_to_2026-02/SPY.csv",
    "XLE": "yahoo_long_to_2026-02/XLE.csv",
    "GLD": "yahoo_long_to_2026-02/GLD.csv",
    "AAPL": "daily_2015_to_2026-02-27_normalized/AAPL.csv",
    "NVDA": "daily_2015_to_2026-02-27_normalized/NVDA.csv",
    "JPM": "daily_2015_to_2026-02-27_normalized/JPM.csv",
    "XOM": "daily_2015_to_2026-02-27_normalized/XOM.csv",
}


def replay_real(tmp: Path, first: date, last: date) -> Path:
    """The SQLite file of a replay of [first, last] (calendar days) over the real recording."""
    rec = tmp / "rec"
    (rec / "feeds").mkdir(parents=True)
    (rec / "prices").mkdir()
    for feed in sorted(shared_data("feeds", "news_sitemaps_2023-12-01_mangled").glob("*.xml")):
        (rec / "feeds" / feed.name).symlink_to(feed)
    for symbol, rel in PRICES.items():
        (rec / "prices" / f"{symbol}.csv").symlink_to(shared_data("prices", *rel.split("/")))
    db = tmp / "replay.db"
    result = tapewire(
        tmp, "replay", str(rec), "--from", first.isoformat(), "--to", last.isoformat(),
        "--db", str(db),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return db
