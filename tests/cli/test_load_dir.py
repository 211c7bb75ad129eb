"""``tapewire prices load-dir DIR``: every CSV of a directory in one process (issue #16), real
files, the real entry point; a bad file is one line and exit 1, the others still load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from tapewire.market.models import Bar, Instrument
from tapewire.store import open_store
from tests.conftest import shared_data
from tests.support.cli import tapewire

NORMALIZED = ("prices", "daily_2015_to_2026-02-27_normalized")


def test_load_dir_loads_every_file_and_names_the_bad_one(tmp_path: Path) -> None:
    folder = tmp_path / "prices"
    folder.mkdir()
    for name in ("AAPL.csv", "JPM.csv", "^GSPC.csv"):
        shutil.copy(shared_data(*NORMALIZED, name), folder / name)
    (folder / "BROKEN.csv").write_text("this,is\nnot,prices\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a csv", encoding="utf-8")
    db = str(tmp_path / "load.db")

    done = tapewire(tmp_path, "prices", "load-dir", str(folder), "--db", db, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["files"] == 4 and report["failed"] == 1
    assert [line for line in done.stderr.splitlines() if line.startswith("BROKEN:")]
    assert "\x1b[" not in done.stderr  # no progress bar when stderr is not a terminal
    rows = {r["symbol"]: r for r in report["results"]}
    expected = {
        name: len(shared_data(*NORMALIZED, f"{name}.csv").read_text().splitlines()) - 1
        for name in ("AAPL", "JPM", "^GSPC")
    }
    for symbol, lines in expected.items():
        assert rows[symbol]["new"] == rows[symbol]["fetched"] > 0.99 * lines
    store = open_store(f"sqlite:///{db}")
    try:
        with store.read() as s:
            stored = dict(
                s.execute(
                    select(Instrument.symbol, func.count(Bar.id))
                    .join(Bar, Bar.instrument_id == Instrument.id)
                    .group_by(Instrument.symbol)
                ).all()
            )
            classes = dict(s.execute(select(Instrument.symbol, Instrument.asset_class)).all())
    finally:
        store.close()
    assert stored == {s: rows[s]["new"] for s in expected}
    assert classes["^GSPC"] == "Indices" and classes["AAPL"] == "Stocks"

    again = tapewire(tmp_path, "prices", "load-dir", str(folder), "--db", db, "--format", "json")
    assert json.loads(again.stdout)["new"] == 0  # incremental: nothing is stored twice
