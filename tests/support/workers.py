"""Real Celery workers (`tapewire worker`) as subprocesses on a Redis database of the test's own.

Each test claims an empty Redis database (8..15) so tests and helpers on one Redis do not see
each other's queues; it is flushed when the test ends. Workers are killed in teardown.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.support.cli import cli_env

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
CLAIM = "tapewire-test-claim"


def redis_or_skip() -> object:
    redis = pytest.importorskip("redis")
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise  # .ci/run starts Redis: in CI a missing one is a failure
        pytest.skip("Redis is not running on 127.0.0.1:6379: worker tests skipped")
    finally:
        client.close()
    return redis


@contextmanager
def redis_database() -> Iterator[str]:
    """The URL of an empty Redis database claimed for this test; flushed afterwards."""
    redis = redis_or_skip()
    for n in range(8, 16):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=n)  # type: ignore[attr-defined]
        if client.dbsize() == 0 and client.set(CLAIM, str(os.getpid()), nx=True, ex=3600):
            try:
                yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{n}"
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    pytest.skip("no empty Redis database among 8..15")


def worker_env(tmp_path: Path, broker: str, db_url: str) -> dict[str, str]:
    env = cli_env(tmp_path)
    env.update(
        TAPEWIRE_QUEUE__BROKER_URL=broker,
        TAPEWIRE_QUEUE__VISIBILITY_TIMEOUT_S="8",
        TAPEWIRE_DB__URL=db_url,
        TAPEWIRE_HTTP__ALLOW_PRIVATE_URLS="true",
        TAPEWIRE_HTTP__PER_HOST_DELAY_S="0",
        PYTHONUNBUFFERED="1",  # the worker logs reach the file line by line (tests read them)
    )
    return env


class Workers:
    """`tapewire worker` processes; ``kill9`` one, ``start`` another, all stopped at the end."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path, self.env = tmp_path, env
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *, pool: str = "solo") -> subprocess.Popen[bytes]:
        with (self.tmp_path / f"worker-{name}.log").open("ab") as log:  # the child keeps its fd
            proc = subprocess.Popen(
                [sys.executable, "-m", "tapewire.cli", "worker", "--pool", pool, "-n", f"{name}@%h"]
                + (["--concurrency", "1"] if pool == "prefork" else []),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs.append(proc)
        return proc

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Until every started worker logs that it is ready."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            logs = list(self.tmp_path.glob("worker-*.log"))
            ready = sum(1 for p in logs if "ready." in p.read_text(errors="replace"))
            if ready >= len({p.name for p in logs}):
                return
            time.sleep(0.2)
        raise TimeoutError("workers not ready:\n" + self.logs())

    def kill9(self, proc: subprocess.Popen[bytes]) -> None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-3000:] for p in self.tmp_path.glob("worker-*.log")
        )

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def queued_replay(
    tmp_path: Path,
    rec: Path,
    days: tuple[str, ...],
    env: dict[str, str],
    *,
    debug: bool = False,
) -> subprocess.Popen[bytes]:
    """``tapewire replay`` of a recording, enqueuing to the workers of ``env``, as a process of
    its own; its output goes to ``tmp_path/replay.log`` (the fault tests read its progress;
    ``debug`` adds the debug log, e.g. the line saying a pass has been sent)."""
    with (tmp_path / "replay.log").open("w") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tapewire.cli",
                *(["--debug"] if debug else []),
                "replay",
                str(rec),
                *days,
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
