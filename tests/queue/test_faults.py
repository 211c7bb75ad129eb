"""Faults: a worker killed with SIGKILL mid-run, several times, while a replay runs on two
workers: the run completes, nothing is lost (the store equals the in-process run's) and nothing
is stored twice (row counts equal distinct keys). The counts are printed."""

from __future__ import annotations

import re
import subprocess
import time
from contextlib import suppress
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tapewire.enrich.models import StoryItem
from tapewire.ingest.models import NewsItem
from tapewire.newsroom.models import Brief
from tapewire.signals.models import Signal
from tapewire.store import Store
from tests.e2e.test_replay import write_recording
from tests.queue.compare import differences, snapshot
from tests.support.cli import tapewire
from tests.support.workers import Workers, queued_replay, redis_database, worker_env

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(600)]
DAYS = ("--from", "2026-11-16", "--to", "2026-11-20")
KILLS = 3


def _rows(store: Store) -> dict[str, tuple[int, int]]:
    """(rows, distinct keys) of each table where a duplicate would show."""
    with store.read() as s:
        return {
            "items": (
                s.scalar(select(func.count(NewsItem.id))) or 0,
                s.scalar(select(func.count(func.distinct(NewsItem.canonical_url)))) or 0,
            ),
            "story_items": (
                s.scalar(select(func.count(StoryItem.id))) or 0,
                s.scalar(select(func.count(func.distinct(StoryItem.news_item_id)))) or 0,
            ),
            "signals": (
                s.scalar(select(func.count(Signal.id))) or 0,
                len(set(s.execute(select(Signal.instrument_id, Signal.as_of)).all())),
            ),
            "briefs": (
                s.scalar(select(func.count(Brief.id))) or 0,
                s.scalar(select(func.count(func.distinct(Brief.slug)))) or 0,
            ),
        }


TASK = re.compile(r"Task (tapewire\.\w+)\[([0-9a-f-]+)\] (received|succeeded)")


def _interrupted_tasks(tmp_path: Path, killed: list[str]) -> tuple[set[str], set[str]]:
    """Task ids a killed worker received but did not finish, and those of them that some
    worker finished afterwards."""
    done: dict[str, set[str]] = {}
    received: dict[str, set[str]] = {}
    for log in tmp_path.glob("worker-*.log"):
        name = log.stem.removeprefix("worker-")
        for _task, task_id, what in TASK.findall(log.read_text(errors="replace")):
            (done if what == "succeeded" else received).setdefault(name, set()).add(task_id)
    cut = {t for n in killed for t in received.get(n, set()) - done.get(n, set())}
    finished = set().union(*done.values()) if done else set()
    return cut, cut & finished


def _busy(log: Path, replay: subprocess.Popen[bytes], timeout_s: float = 60.0) -> bool:
    """Wait until the worker writing ``log`` holds a task it has not finished (False: the
    replay ended or the time ran out first). The log is read as it grows, every 2 ms."""
    deadline = time.monotonic() + timeout_s
    held: set[str] = set()
    tail = ""
    with suppress(FileNotFoundError), log.open(errors="replace") as f:
        while time.monotonic() < deadline and replay.poll() is None:
            tail += f.read()
            lines, _, tail = tail.rpartition("\n")
            for _n, task_id, what in TASK.findall(lines):
                (held.add if what == "received" else held.discard)(task_id)
            if held:
                return True
            time.sleep(0.002)
    return False


def _more_instruments(rec: Path, copies: int) -> None:
    """The recorded stock series again under distinct symbols (ACME -> ACMEX1 ...), so a day
    has enough tasks of some length for a kill to land in one. Said here: the copies are the
    same real recording, not new data."""
    for path in list((rec / "prices").glob("*.csv")):
        if path.stem.startswith("^") or path.stem.endswith("-USD"):
            continue
        for n in range(1, copies + 1):
            (rec / "prices" / f"{path.stem}X{n}.csv").write_bytes(path.read_bytes())


def test_kill_9_of_a_worker_mid_run_loses_and_duplicates_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    rec = tmp_path / "rec"
    write_recording(rec)
    _more_instruments(rec, copies=8)
    local_db = tmp_path / "local.db"
    assert tapewire(tmp_path, "replay", str(rec), *DAYS, "--db", str(local_db)).returncode == 0

    kills = 0
    with redis_database() as broker:
        env = worker_env(tmp_path, broker, postgres_url)
        workers = Workers(tmp_path, env)
        try:
            workers.start("steady")
            victim = workers.start("victim0")
            workers.wait_ready()
            replay = queued_replay(tmp_path, rec, DAYS, env)
            try:
                while kills < KILLS and replay.poll() is None:
                    if not _busy(tmp_path / f"worker-victim{kills}.log", replay):
                        break
                    workers.kill9(victim)  # it holds a task it has not finished
                    kills += 1
                    time.sleep(0.3)
                    victim = workers.start(f"victim{kills}")  # as systemd's Restart= would
                code = replay.wait(timeout=400)
            finally:
                if replay.poll() is None:
                    replay.kill()
                    replay.wait()
        finally:
            workers.stop()
    output = (tmp_path / "replay.log").read_text()
    assert code == 0, output[-3000:]
    # A kill lands only while the victim holds a task; the replay may end before the last one.
    assert kills >= 2, f"the replay ended after {kills} kill(s): {output[-2000:]}"

    local, queued = Store(f"sqlite:///{local_db}"), Store(postgres_url)
    try:
        rows_local, rows_queued = _rows(local), _rows(queued)
        a, b = snapshot(local), snapshot(queued)
    finally:
        local.close()
        queued.close()
    interrupted, redone = _interrupted_tasks(tmp_path, killed=[f"victim{n}" for n in range(kills)])
    print(
        f"{kills} kill -9s; tasks cut off by a kill: {len(interrupted)}, done again: {len(redone)}"
    )
    assert interrupted, "no kill landed mid-task: the test proved nothing"
    assert redone == interrupted
    print(f"{kills} kill -9s; rows (stored, distinct) in-process: {rows_local}")
    print(f"{kills} kill -9s; rows (stored, distinct) on workers: {rows_queued}")
    assert all(n == distinct for n, distinct in rows_queued.values()), rows_queued
    assert rows_queued == rows_local
    assert differences(a, b) == []
