"""Faults: the broker (a private Redis with its append-only file) restarted mid-run: the
workers and the waiting `replay` reconnect, the run completes, and the store equals the
in-process run's (nothing lost, nothing twice)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tapewire.store import Store
from tests.e2e.test_replay import write_recording
from tests.queue.compare import differences, snapshot
from tests.support.cli import tapewire
from tests.support.servers import free_port
from tests.support.workers import Workers, queued_replay, redis_or_skip, worker_env

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(600)]
DAYS = ("--from", "2026-11-17", "--to", "2026-11-20")


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.dir, self.port = directory, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.dir.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        redis = redis_or_skip()
        client = redis.Redis(host="127.0.0.1", port=self.port)  # type: ignore[attr-defined]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                client.ping()
                break
            except redis.exceptions.RedisError:  # type: ignore[attr-defined]
                time.sleep(0.1)
        client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # a clean shutdown: the append-only file is complete
            self.proc.wait(timeout=20)


def _recorded_and_replayed_locally(tmp_path: Path, days: tuple[str, ...]) -> tuple[Path, Path]:
    """The recording and the in-process replay of ``days`` the queued run must equal."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    rec = tmp_path / "rec"
    write_recording(rec)
    local_db = tmp_path / "local.db"
    assert tapewire(tmp_path, "replay", str(rec), *days, "--db", str(local_db)).returncode == 0
    return rec, local_db


def _assert_same_store(local_db: Path, postgres_url: str) -> None:
    local, queued = Store(f"sqlite:///{local_db}"), Store(postgres_url)
    try:
        assert differences(snapshot(local), snapshot(queued)) == []
    finally:
        local.close()
        queued.close()


def test_broker_restarted_mid_run_the_run_completes(tmp_path: Path, postgres_url: str) -> None:
    rec, local_db = _recorded_and_replayed_locally(tmp_path, DAYS)

    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    env = worker_env(tmp_path, f"redis://127.0.0.1:{redis.port}/0", postgres_url)
    workers = Workers(tmp_path, env)
    try:
        workers.start("r1")
        workers.start("r2")
        workers.wait_ready()
        replay = queued_replay(tmp_path, rec, DAYS, env)
        deadline = time.monotonic() + 120
        while "2026-11-17" not in (tmp_path / "replay.log").read_text():  # day 1 done
            assert replay.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        redis.stop()
        time.sleep(3.0)
        redis.start()
        code = replay.wait(timeout=400)
    finally:
        workers.stop()
        redis.stop()
    output = (tmp_path / "replay.log").read_text()
    print(output)
    assert code == 0, output[-3000:]
    _assert_same_store(local_db, postgres_url)


def test_a_task_lost_in_a_broker_outage_is_sent_again(tmp_path: Path, postgres_url: str) -> None:
    """Redis's transport can lose a task popped just as the connection drops (celery/kombu#305):
    its chord never fires and the pass waited until its deadline (a test run hung on it). Here
    one of the pass's queued tasks is removed by hand and the broker restarted: once the broker
    has had nothing queued or running for `queue.resend_after_s`, the waiting `replay` sends the
    pass again (every task is idempotent), and the store equals the in-process run's."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    days = ("--from", "2026-11-17", "--to", "2026-11-17")
    rec, local_db = _recorded_and_replayed_locally(tmp_path, days)

    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    env = worker_env(tmp_path, f"redis://127.0.0.1:{redis.port}/0", postgres_url)
    env["TAPEWIRE_QUEUE__RESEND_AFTER_S"] = "3"
    workers = Workers(tmp_path, env)
    client = redis_or_skip().Redis(host="127.0.0.1", port=redis.port)  # type: ignore[attr-defined]
    try:
        # no worker yet: its tasks wait queued
        replay = queued_replay(tmp_path, rec, days, env, debug=True)
        deadline = time.monotonic() + 120
        # Wait until the pass is wholly sent: a broker stopped while it is being sent makes the
        # sender send it again from the start (a CI run saw that), which would restore the task
        # removed below and never exercise the resend of a lost task.
        while "the pass is sent" not in (tmp_path / "replay.log").read_text():
            assert replay.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert client.llen("tapewire")
        assert client.lpop("tapewire") is not None  # the task the outage loses
        client.close()
        redis.stop()
        time.sleep(2.0)
        redis.start()
        workers.start("r1")
        workers.wait_ready()
        code = replay.wait(timeout=300)
    finally:
        workers.stop()
        redis.stop()
    output = (tmp_path / "replay.log").read_text()
    print(output)
    assert code == 0, output[-3000:]
    assert "sending the pass again" in output
    _assert_same_store(local_db, postgres_url)
