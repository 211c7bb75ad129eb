"""Load test of the site at 1,000 and 10,000 briefs: req/s and p99, cold (cache off) and cached.

Builds the demo world (the real writer on real bars) into a temporary SQLite store, grows it to
each size with ``demo.grow.grow_briefs`` (bulk-inserted copies of those briefs, moved back whole
days), serves it with uvicorn (2 workers, the ``app_from_env`` factory) and loads the home page, a
brief page, an instrument page, ``/api/briefs`` and ``/healthz`` (the framework floor: one tiny
query and JSON): once with the response cache on (warm), once with it off (cold: every request
renders). Prints req/s, p99, each path's ratio to the floor and the cold/warm ratio per size,
and per cold request the CPU ms of the server's processes and of the load generator.

Load generator: wrk if it is on PATH, else ``apt-get install wrk`` when that works, else
``bench/web/loadgen.py`` (asyncio on raw sockets, 2 processes); the output says which ran.
Goal (issue #16): cold >= 1,000 req/s and p99 < 50 ms at 10,000 briefs, and a cold/warm ratio
that does not fall from 1,000 to 10,000 briefs.

    .venv/bin/python bench/web/run.py [--seconds 5] [--connections 32] [--sizes 1000,10000]
        [--python OTHER/.venv/bin/python]   # serve with another checkout's code (before/after)
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen

from tapewire.clock import FixedClock
from tapewire.config import load_settings
from tapewire.demo.grow import grow_briefs
from tapewire.demo.run import run_demo
from tapewire.newsroom.models import Brief
from tapewire.store import open_store

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
Load = Callable[[str], tuple[float, float]]
Figures = tuple[float, float, float, float]  # req/s, p99 ms, server CPU ms/req, load CPU ms/req


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


def find_wrk() -> str | None:
    """wrk on PATH, or installed from Debian when apt-get works here (root, network)."""
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk not found: trying apt-get install -y wrk ...", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, check=False, timeout=300
        )
    return shutil.which("wrk")


def wrk_load(wrk: str, seconds: int, connections: int) -> Load:
    def load(url: str) -> tuple[float, float]:
        out = subprocess.run(
            [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if "Non-2xx" in out:
            raise SystemExit(f"non-2xx responses from {url}:\n{out}")
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return load


def python_load(seconds: int, connections: int) -> Load:
    def load(url: str) -> tuple[float, float]:
        rps, p99, bad = loadgen.run(url, seconds=seconds, connections=connections)
        if bad:
            raise SystemExit(f"{bad} non-2xx responses from {url}")
        return rps, p99

    return load


def serve(python: str, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            python,
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


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its descendants (uvicorn's master and its
    workers), read from /proc; 0.0 where there is no /proc."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    try:
        entries = [e for e in Path("/proc").iterdir() if e.name.isdigit()]
    except OSError:
        return 0.0
    for entry in entries:
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name: state, ppid, ...
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime + stime
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier += children
    return sum(ticks.get(p, 0) for p in tree) / tick


def children_cpu_s() -> float:
    """CPU seconds of this process's waited-for children (wrk, or loadgen's processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    python: str, env: dict[str, str], paths: dict[str, str], load: Load, seconds: int
) -> dict[str, Figures]:
    """Req/s and p99 of each path, and the CPU each request cost the server (all its
    processes) and the load generator: on a shared machine req/s moves with the other load,
    CPU per request much less, and wrk's own CPU comes out of the same cores."""
    port = free_port()
    server = serve(python, env, port)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Figures] = {}
    try:
        wait_up(base + "/healthz")
        for path in paths.values():  # warm every worker: templates, statements, caches
            for _ in range(20):
                urllib.request.urlopen(base + path).read()
        for name, path in paths.items():
            server_before, load_before = tree_cpu_s(server.pid), children_cpu_s()
            rps, p99 = load(base + path)
            requests = max(rps * seconds, 1.0)
            server_ms = (tree_cpu_s(server.pid) - server_before) * 1000 / requests
            load_ms = (children_cpu_s() - load_before) * 1000 / requests
            out[name] = (rps, p99, server_ms, load_ms)
        return out
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--sizes", default="1000,10000", help="store sizes in briefs, ascending")
    parser.add_argument("--python", default=sys.executable, help="interpreter serving the site")
    parser.add_argument("--loadgen", choices=("auto", "python"), default="auto")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    wrk = find_wrk() if args.loadgen == "auto" else None
    if wrk:
        load, generator = wrk_load(wrk, args.seconds, args.connections), f"wrk ({wrk})"
        generator += f" -t2 -c{args.connections} -d{args.seconds}s"
    else:
        load = python_load(args.seconds, args.connections)
        generator = (
            f"bench/web/loadgen.py (2 processes, {args.connections} connections, {args.seconds}s)"
        )

    tmp = Path(tempfile.mkdtemp(prefix="tapewire-bench-web-"))
    db = tmp / "bench.db"
    settings = load_settings(data_dir=tmp, db={"url": str(db)}, http={"allow_private_urls": True})
    run_demo(settings, as_of=AS_OF, clock=FixedClock(AS_OF))
    store = open_store(settings.database_url())
    with store.read() as s:
        newest = s.scalars(
            select(Brief)
            .where(Brief.primary_tag != "market")
            .order_by(Brief.as_of.desc(), Brief.id.desc())
        ).first()
    assert newest is not None and newest.instruments, "the demo wrote no instrument brief"
    paths = {
        "home": "/",
        "brief page": f"/briefs/{newest.slug}",
        "instrument page": f"/instruments/{newest.instruments[0]}",
        "/api/briefs": "/api/briefs",
        "floor /healthz": "/healthz",
    }
    env = {**os.environ, "TAPEWIRE_DB__URL": str(db), "TAPEWIRE_DATA_DIR": str(tmp)}
    results: dict[int, dict[str, dict[str, Figures]]] = {}
    try:
        for size in sizes:
            started = time.perf_counter()
            added = grow_briefs(store, size)
            print(
                f"store grown to {size:,} briefs (+{added:,} in {time.perf_counter() - started:.1f} s)",
                flush=True,
            )
            results[size] = {
                "warm": measure(args.python, env, paths, load, args.seconds),
                "cold": measure(
                    args.python,
                    {**env, "TAPEWIRE_WEB__PAGE_CACHE_SIZE": "0"},
                    paths,
                    load,
                    args.seconds,
                ),
            }
    finally:
        store.close()
        shutil.rmtree(tmp, ignore_errors=True)
    report(results, paths, generator, args.python)
    return 0


def report(
    results: dict[int, dict[str, dict[str, Figures]]],
    paths: dict[str, str],
    generator: str,
    python: str,
) -> None:
    print(f"load generator: {generator}; uvicorn 2 workers ({python}), {os.cpu_count()} cores")
    cores = os.cpu_count() or 1
    print(
        f"{'briefs':>7} {'page':<16} {'cold req/s':>10} {'p99 ms':>7} {'warm req/s':>10} "
        f"{'p99 ms':>7} {'cold/warm':>9} {'cold/floor':>10} {'srv CPU ms':>10} "
        f"{'load CPU ms':>11} {'CPU-bound req/s':>15}"
    )
    for size, modes in results.items():
        floor = modes["cold"]["floor /healthz"][0]
        for name in paths:
            cold, warm = modes["cold"][name], modes["warm"][name]
            bound = cores * 1000 / (cold[2] + cold[3]) if cold[2] + cold[3] > 0 else 0.0
            print(
                f"{size:>7,} {name:<16} {cold[0]:>10,.0f} {cold[1]:>7.1f} {warm[0]:>10,.0f} "
                f"{warm[1]:>7.1f} {cold[0] / warm[0]:>9.2f} {cold[0] / floor:>10.2f} "
                f"{cold[2]:>10.2f} {cold[3]:>11.2f} {bound:>15,.0f}"
            )
    print(
        "srv CPU ms / load CPU ms: CPU per cold request of the server's processes / of the load "
        f"generator; CPU-bound req/s: {cores} cores / their sum (both share the cores)"
    )
    largest, smallest = max(results), min(results)
    pages = [n for n in paths if n != "floor /healthz"]
    met = all(
        results[largest]["cold"][n][0] >= 1000 and results[largest]["cold"][n][1] < 50
        for n in pages
    )
    print(
        f"goal at {largest:,} briefs: every page cold >= 1,000 req/s, p99 < 50 ms -> "
        f"{'met' if met else 'NOT met'}"
    )
    for n in pages:
        small = results[smallest]["cold"][n][0] / results[smallest]["warm"][n][0]
        large = results[largest]["cold"][n][0] / results[largest]["warm"][n][0]
        print(
            f"cold/warm {n}: {small:.2f} at {smallest:,} -> {large:.2f} at {largest:,} "
            f"({large / small:.2f}x)"
        )


if __name__ == "__main__":
    sys.exit(main())
