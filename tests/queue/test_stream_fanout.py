"""Many web processes: a brief stored by a Celery worker reaches live-stream (SSE) clients on
every web process at once, through Redis pub/sub, long before any process would poll again."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_replay import write_recording
from tests.support.servers import free_port
from tests.support.workers import Workers, redis_database, worker_env

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]
POLL_S = "120"  # a process that only polled would send nothing within the test


def _wait_http(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(url)


class Listener(threading.Thread):
    """One SSE client: records the process that answered and the first event's time."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.connected = url, threading.Event()
        self.event: str | None = None
        self.at: float | None = None

    def run(self) -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(5, read=90)) as client,
            client.stream("GET", self.url) as response,
        ):
            for line in response.iter_lines():
                if line.startswith("retry:"):
                    self.connected.set()
                if line.startswith("event:"):
                    self.event, self.at = line.split(":", 1)[1].strip(), time.monotonic()
                    return


def test_an_event_from_a_worker_reaches_clients_on_every_web_process(
    tmp_path: Path, postgres_url: str
) -> None:
    rec = tmp_path / "rec"
    write_recording(rec)
    with redis_database() as broker:
        env = worker_env(tmp_path, broker, postgres_url) | {"TAPEWIRE_WEB__STREAM_POLL_S": POLL_S}
        ports = [free_port(), free_port()]
        webs = [  # one server with 2 processes and one with 1: at least 2 processes get clients
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tapewire.cli",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(n),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            for port, n in zip(ports, (2, 1), strict=True)
        ]
        workers = Workers(tmp_path, env)
        try:
            for port in ports:
                _wait_http(f"http://127.0.0.1:{port}/api/sources")
            listeners = [
                Listener(f"http://127.0.0.1:{port}/api/stream?limit=1")
                for port in (ports[0], ports[0], ports[0], ports[1])
            ]
            for listener in listeners:
                listener.start()
                assert listener.connected.wait(30), listener.url
            workers.start("w1")
            workers.wait_ready()
            started = time.monotonic()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tapewire.cli",
                    "replay",
                    str(rec),
                    "--from",
                    "2026-11-20",
                    "--to",
                    "2026-11-20",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=240,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            for listener in listeners:
                listener.join(timeout=30)
        finally:
            workers.stop()
            for web in webs:
                web.terminate()
            for web in webs:
                try:
                    web.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    web.kill()
                    web.wait()
    latency = [round((listener.at or 0) - started, 1) for listener in listeners]
    print("first event after the pass started, per client (s):", latency)
    assert all(listener.event in ("signal", "brief") for listener in listeners), [
        listener.event for listener in listeners
    ]
    # Each stream polled once when it connected and would poll next after POLL_S seconds.
    assert all(listener.at is not None and listener.at - started < 60 for listener in listeners)
