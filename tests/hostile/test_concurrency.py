"""Issue #17 item 8: two writers on one store (two real ``demo --no-serve`` processes at once,
SQLite and PostgreSQL) both finish, and the store holds what one writer alone leaves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.cli import cli_env

pytestmark = pytest.mark.e2e

TABLES = (
    "instrument",
    "bar",
    "feed",
    "news_item",
    "sentiment",
    "entity_link",
    "story_item",
    "signal",
    "indicator",
    "level",
    "brief",
    "fact_sheet",
    "verification",
)
DEMO = ("demo", "--no-serve", "--as-of", "2026-11-20", "--format", "json")


def _demo(tmp_path: Path, db: str) -> subprocess.Popen[bytes]:
    env = {**cli_env(tmp_path), "TAPEWIRE_DEMO__HISTORY_DAYS": "3"}
    return subprocess.Popen(
        [sys.executable, "-m", "tapewire.cli", *DEMO, "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _finish(proc: subprocess.Popen[bytes]) -> None:
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()[-2000:]


def _fingerprint(url: str) -> dict[str, object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
            slugs = sorted(conn.execute(text("SELECT slug FROM brief")).scalars())
            orphans = conn.execute(
                text(
                    "SELECT count(*) FROM fact_sheet f WHERE NOT EXISTS "
                    "(SELECT 1 FROM brief b WHERE b.fact_sheet_id = f.id)"
                )
            ).scalar()
    finally:
        engine.dispose()
    return {"counts": counts, "slugs": slugs, "orphan_fact_sheets": orphans}


def _url(backend: str, tmp_path: Path, name: str, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / name}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_demo_writers_end_with_the_single_writer_result(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    shared = _url(backend, tmp_path, "shared.db", request)
    single = f"sqlite:///{tmp_path / 'single.db'}"
    first, second = _demo(tmp_path, shared), _demo(tmp_path, shared)
    alone = _demo(tmp_path, single)
    for proc in (first, second, alone):
        _finish(proc)
    together, by_one = _fingerprint(shared), _fingerprint(single)
    assert together == by_one
    assert together["counts"]["brief"] > 5  # type: ignore[index]
    assert together["orphan_fact_sheets"] == 0
