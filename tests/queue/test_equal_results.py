"""The same replay in-process on SQLite and on two real Celery workers over PostgreSQL gives the
same items, stories, signals and briefs (fact sheets equal field by field), and the same totals.

The workers' tasks take slices of several feeds and instruments (``queue.stage_tasks=2``): the
queued pass runs each stage's set-based path on a slice, and each feed and instrument is done
by exactly one slice (the replay's totals equal the in-process run's)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tapewire.store import Store
from tests.e2e.test_replay import write_recording
from tests.queue.compare import differences, snapshot
from tests.support.cli import tapewire
from tests.support.workers import Workers, redis_database, worker_env

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(600)]
DAYS = ("--from", "2026-11-18", "--to", "2026-11-20")


def _replay(tmp_path: Path, rec: Path, env: dict[str, str]) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "tapewire.cli", "replay", str(rec), *DAYS],
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    print(done.stdout)
    return done.stdout


def totals(out: str) -> list[str]:
    """The replay's summary lines (feeds fetched, bars, stories, instruments, briefs...)."""
    return out[out.index(" in all:") :].splitlines()[1:]


def test_two_workers_on_postgres_equal_in_process_on_sqlite(
    tmp_path: Path, postgres_url: str
) -> None:
    rec = tmp_path / "rec"
    write_recording(rec)
    local_db = tmp_path / "local.db"
    result = tapewire(tmp_path, "replay", str(rec), *DAYS, "--db", str(local_db))
    assert result.returncode == 0, result.stderr

    with redis_database() as broker:
        env = worker_env(tmp_path, broker, postgres_url)
        env["TAPEWIRE_QUEUE__STAGE_TASKS"] = "2"  # slices of 2-3 feeds and instruments
        workers = Workers(tmp_path, env)
        try:
            workers.start("w1")
            workers.start("w2")
            workers.wait_ready()
            out = _replay(tmp_path, rec, env)
        finally:
            workers.stop()
    logs = [(tmp_path / f"worker-{name}.log").read_text() for name in ("w1", "w2")]
    for log in logs:  # both workers took tasks
        assert "succeeded" in log
    # 5 instruments in 2 slices a day, 3 days: each technicals task took several instruments
    done = r"Task tapewire\.technicals_chunk\[[^\]]+\] succeeded"
    chunks = sum(len(re.findall(done, log)) for log in logs)
    assert chunks == 2 * 3, chunks
    assert totals(out) == totals(result.stdout)

    local, queued = Store(f"sqlite:///{local_db}"), Store(postgres_url)
    try:
        a, b = snapshot(local), snapshot(queued)
    finally:
        local.close()
        queued.close()
    counts = {part: (len(a[part]), len(b[part])) for part in a}
    print("in-process vs 2 workers:", counts)
    assert all(n > 0 for n, _ in counts.values()), counts
    assert differences(a, b) == []
