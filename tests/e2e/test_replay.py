"""`tapewire replay` and `tapewire run --once`: the same stages over recorded files, as of each day."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tapewire.demo.world import build_world
from tests.support.cli import tapewire

pytestmark = pytest.mark.e2e


def write_recording(directory: Path) -> None:
    """The demo world as a replay directory: feeds/*.xml and prices/<SYMBOL>.csv."""
    world = build_world(as_of=datetime(2026, 11, 20, tzinfo=UTC), news_days=10)
    (directory / "feeds").mkdir(parents=True)
    (directory / "prices").mkdir()
    for outlet in world.outlets:
        (directory / "feeds" / Path(outlet.feed_path).name).write_bytes(
            world.files[outlet.feed_path][0]
        )
    for inst in world.instruments:
        body = world.files[f"/q/d/l/?s={inst.stooq_symbol}"][0]
        (directory / "prices" / f"{inst.symbol}.csv").write_bytes(body)


def test_replay_writes_each_day_from_data_before_that_day(tmp_path: Path) -> None:
    write_recording(tmp_path / "rec")
    db = tmp_path / "replay.db"
    result = tapewire(
        tmp_path,
        "replay",
        str(tmp_path / "rec"),
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-20",
        "--db",
        str(db),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    days = json.loads(result.stdout)
    assert [d["day"] for d in days] == [
        "2026-11-16",
        "2026-11-17",
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
    ]
    assert all(d["briefs"] == 5 for d in days), [
        (d["day"], d["briefs"], d.get("rejected")) for d in days
    ]
    assert days[1]["new_bars"] == 5  # Monday's bar for each instrument arrives as of Tuesday
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT b.as_of, f.data FROM brief b JOIN fact_sheet f ON f.id = b.fact_sheet_id")
        ).all()
        failed = conn.execute(text("SELECT count(*) FROM verification WHERE failed > 0")).scalar()
    engine.dispose()
    assert len(rows) == 25 and failed == 0
    for as_of, data in rows:
        facts = json.loads(data) if isinstance(data, str) else data
        day = str(as_of)[:10]
        assert facts["bar_date"] < day  # no bar of the as_of day or later
        assert all(src["published_at"] < day for src in facts["news"])  # no news from the future


def test_run_once_polls_registered_sources(tmp_path: Path) -> None:
    write_recording(tmp_path / "rec")
    db = str(tmp_path / "live.db")
    for feed in sorted((tmp_path / "rec" / "feeds").iterdir()):
        assert tapewire(tmp_path, "feeds", "add", str(feed), "--db", db).returncode == 0
    loaded = tapewire(
        tmp_path,
        "prices",
        "load",
        "ACME",
        str(tmp_path / "rec" / "prices" / "ACME.csv"),
        "--db",
        db,
    )
    assert loaded.returncode == 0, loaded.stderr
    result = tapewire(tmp_path, "run", "--once", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "feeds: 5 fetched" in result.stdout and "briefs: " in result.stdout
