"""Load test of the site: brief page and briefs API, req/s and p99, with wrk on loopback.

Builds the demo world into a temporary database, serves it with uvicorn (2 workers, the
``app_from_env`` factory) and runs wrk against a brief page, the briefs API and ``/healthz`` (the
framework floor: one tiny query and JSON), then again with the response cache off (every request
renders). Prints req/s, p99 and each path's ratio to the floor.
Goal (issue #6): >= 4,000 req/s on the brief page with p99 < 30 ms.

    .venv/bin/python bench/web/run.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from tapewire.clock import FixedClock
from tapewire.config import load_settings
from tapewire.demo.run import run_demo

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not come up at {url}")


def wrk(url: str, *, seconds: int, connections: int) -> tuple[float, float]:
    """(requests/s, p99 ms) from wrk's --latency output."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx" in out:
        raise SystemExit(f"non-2xx responses from {url}:\n{out}")
    return rps, p99


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "tapewire.web.asgi:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )


def measure(
    env: dict[str, str], paths: dict[str, str], args: argparse.Namespace
) -> dict[str, tuple[float, float]]:
    port = free_port()
    server = serve(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base + "/healthz")
        for path in paths.values():  # warm every worker's caches
            for _ in range(20):
                urllib.request.urlopen(base + path).read()
        return {
            name: wrk(base + path, seconds=args.seconds, connections=args.connections)
            for name, path in paths.items()
        }
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (Debian: apt-get install wrk)")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="tapewire-bench-web-"))
    db = tmp / "bench.db"
    settings = load_settings(data_dir=tmp, db={"url": str(db)}, http={"allow_private_urls": True})
    run_demo(settings, as_of=AS_OF, clock=FixedClock(AS_OF))
    env = {**os.environ, "TAPEWIRE_DB__URL": str(db), "TAPEWIRE_DATA_DIR": str(tmp)}
    try:
        slug = f"acme-{AS_OF:%Y-%m-%d}"
        paths = {
            "brief page": f"/briefs/{slug}",
            "briefs API": "/api/briefs",
            "floor /healthz": "/healthz",
        }
        results = measure(env, paths, args)
        uncached = measure(
            {**env, "TAPEWIRE_WEB__PAGE_CACHE_SIZE": "0"},
            {
                "brief page, no cache": paths["brief page"],
                "briefs API, no cache": paths["briefs API"],
            },
            args,
        )
        results.update(uncached)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    floor = results["floor /healthz"][0]
    print(
        f"wrk -t2 -c{args.connections} -d{args.seconds}s, uvicorn 2 workers, {os.cpu_count()} cores"
    )
    for name, (rps, p99) in results.items():
        print(f"{name:<16} {rps:>9,.0f} req/s   p99 {p99:6.1f} ms   {rps / floor:4.2f}x floor")
    rps, p99 = results["brief page"]
    print(
        f"goal: brief page >= 4,000 req/s and p99 < 30 ms -> {'met' if rps >= 4000 and p99 < 30 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
