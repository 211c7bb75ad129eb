"""One full pipeline pass of 500 feeds + 300 instruments: in-process vs 1 vs 2 Celery workers.

A loopback HTTP server serves 500 recorded feeds and 300 daily price files. The feeds are the
real recordings of ../shared/data/feeds that parse, reused round-robin; each copy's links get a
host prefix of its own (``://f17.``) so its items are distinct stories, not duplicates. The
instruments are the 17 real daily series of ../shared/data/prices (2015 to 2026-02-27) reused
under distinct symbols (``AAPL``, ``AAPL_2``...). Said here because the copies are not new data.

Each mode gets a fresh PostgreSQL database and the same pass as of 2026-02-28 00:00 UTC:
in-process (`run_pipeline`, as `tapewire run --once` runs it), then 1 and 2 `tapewire worker`
processes (``--pool solo``) on Redis. Printed: wall time, items/s, instruments/s, the time
between stage ends (where time goes) and the ratio 2 workers / 1 worker (goal >= 1.7x; a full
cycle < 60 s). Needs PostgreSQL and Redis on 127.0.0.1 (as `.ci/run` starts them).

    .venv/bin/python bench/scale/run.py [--feeds 500] [--instruments 300]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tapewire.clock import SystemClock
from tapewire.config import Settings, load_settings
from tapewire.context import RunContext
from tapewire.demo.server import LoopbackServer
from tapewire.errors import BadInputError
from tapewire.ingest.parse import parse_feed
from tapewire.ingest.stage import add_feed
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.net import HttpClient
from tapewire.pipeline.jobs import STAGES, run_pipeline
from tapewire.pipeline.models import JobRun
from tapewire.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
AS_OF = datetime(2026, 2, 28, tzinfo=UTC)
ADMIN = os.environ.get(
    "TAPEWIRE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
LINK = re.compile(rb'((?:>\s*|href="|url=")https?://)')  # item links, not xmlns namespaces
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/14")
# Set: each worker runs under cProfile and writes <dir>/worker-<n>-of-<workers>.prof at exit.
PROFILE_DIR = os.environ.get("BENCH_PROFILE_DIR")
STAGE_TASKS = int(os.environ.get("BENCH_STAGE_TASKS", "16"))  # queue.stage_tasks
SUCCEEDED = re.compile(rb"Task (tapewire\.[a-z_]+)\[[^\]]+\] succeeded in ([0-9.]+)s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backends_cpu(store: Store) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to the store's database (the
    server runs on this machine; a backend lives as long as its pooled connection)."""
    with store.read() as s:
        pids = s.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).all()
    return sum(cpu_seconds(int(pid)) for pid in pids)


def task_times(logs: list[Path]) -> dict[str, tuple[int, float]]:
    """Per task name: how many ran and the seconds Celery logged for them (the task bodies)."""
    out: dict[str, tuple[int, float]] = {}
    for path in logs:
        for name, secs in SUCCEEDED.findall(path.read_bytes()):
            n, total = out.get(name.decode(), (0, 0.0))
            out[name.decode()] = (n + 1, total + float(secs))
    return out


def files(n_feeds: int, n_instruments: int) -> tuple[dict[str, tuple[bytes, str]], int]:
    feeds = []
    for path in sorted((DATA / "feeds").glob("*/*")):
        body = path.read_bytes()
        try:
            if parse_feed(body).items:
                feeds.append(body)
        except BadInputError:
            continue
    served: dict[str, tuple[bytes, str]] = {}
    for n in range(n_feeds):
        body = LINK.sub(rb"\1f%d." % n, feeds[n % len(feeds)])
        served[f"/feeds/{n}.xml"] = (body, "application/xml")
    series = sorted((DATA / "prices" / "daily_2015_to_2026-02-27_normalized").glob("*.csv"))
    for n in range(n_instruments):
        path = series[n % len(series)]
        symbol = path.stem if n < len(series) else f"{path.stem}_{n // len(series) + 1}"
        served[f"/prices/{symbol}.csv"] = (path.read_bytes(), "text/csv")
    return served, len(feeds)


def settings_for(db_url: str, broker: str | None) -> Settings:
    return load_settings(
        db={"url": db_url},
        http={"allow_private_urls": True, "per_host_delay_s": 0.0, "per_host_connections": 8},
        queue={"broker_url": broker, "stage_tasks": STAGE_TASKS} if broker else {},
    )


def fresh_db() -> str:
    name = f"tw_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(ADMIN).set(database=name).render_as_string(hide_password=False)


def drop_db(url: str) -> None:
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def register(store: Store, base: str, served: dict[str, tuple[bytes, str]]) -> None:
    now = SystemClock().now()
    with store.write() as s:
        for key in served:
            if key.startswith("/feeds/"):
                add_feed(s, base + key, now=now)
            else:
                symbol = key.removeprefix("/prices/").removesuffix(".csv")
                save_instrument(
                    s,
                    InstrumentSpec(
                        symbol=symbol,
                        name=symbol,
                        asset_class="Stocks",
                        provider="csvfile",
                        source_url=base + key,
                    ),
                )


def stage_times(store: Store, started: datetime) -> dict[str, float]:
    """Seconds from the previous stage's end (or the start) to each stage's end."""
    with store.read() as s:
        rows = s.execute(
            select(JobRun.job, JobRun.finished_at)
            .where(JobRun.started_at >= started)
            .order_by(JobRun.finished_at)
        ).all()
    out: dict[str, float] = {}
    last = started
    for job, finished in rows:
        if finished is None:
            continue
        finished = finished if finished.tzinfo else finished.replace(tzinfo=UTC)
        out[job] = round(out.get(job, 0.0) + (finished - last).total_seconds(), 2)
        last = finished
    return out


def counts(store: Store) -> tuple[int, int, int]:
    with store.read() as s:
        items = s.scalar(text("SELECT count(*) FROM news_item")) or 0
        bars = s.scalar(text("SELECT count(DISTINCT instrument_id) FROM bar")) or 0
        briefs = s.scalar(text("SELECT count(*) FROM brief")) or 0
    return int(items), int(bars), int(briefs)


def in_process(base: str, served: dict[str, tuple[bytes, str]]) -> dict[str, object]:
    db = fresh_db()
    try:
        settings = settings_for(db, None)
        store = open_store(db)
        register(store, base, served)
        http = HttpClient(settings.http)
        ctx = RunContext(
            store=store, settings=settings, as_of=AS_OF, http=http, clock=SystemClock()
        )
        started = SystemClock().now()
        t0, c0 = time.perf_counter(), time.process_time()
        run_pipeline(ctx, stages=STAGES)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        result = {
            "wall": wall,
            "cpu": cpu,
            "db_cpu": backends_cpu(store),
            "stages": stage_times(store, started),
            "counts": counts(store),
        }
        http.close()
        store.close()
        return result
    finally:
        drop_db(db)


def queued(
    base: str, served: dict[str, tuple[bytes, str]], workers: int, tmp: Path
) -> dict[str, object]:
    from tapewire.queue.app import make_app
    from tapewire.queue.tasks import enqueue_pass

    db = fresh_db()
    settings = settings_for(db, BROKER)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TAPEWIRE_")},
        "TAPEWIRE_DB__URL": db,
        "TAPEWIRE_QUEUE__BROKER_URL": BROKER,
        "TAPEWIRE_HTTP__ALLOW_PRIVATE_URLS": "true",
        "TAPEWIRE_HTTP__PER_HOST_DELAY_S": "0",
        "TAPEWIRE_HTTP__PER_HOST_CONNECTIONS": "8",
        "TAPEWIRE_DATA_DIR": str(tmp),
        "TAPEWIRE_QUEUE__STAGE_TASKS": str(STAGE_TASKS),
    }
    procs = []
    logs: list[Path] = []
    store = open_store(db)
    try:
        register(store, base, served)
        app = make_app(settings)
        with app.connection_for_write() as conn:
            conn.default_channel.client.flushdb()
        for n in range(workers):
            logs.append(tmp / f"bench-worker-{workers}-{n}.log")
            log = logs[-1].open("wb")
            profile = (
                ["-m", "cProfile", "-o", f"{PROFILE_DIR}/worker-{n}-of-{workers}.prof"]
                if PROFILE_DIR
                else []
            )
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        *profile,
                        "-m",
                        "tapewire.cli",
                        "worker",
                        "--pool",
                        "solo",
                        "-n",
                        f"b{n}@%h",
                    ],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            log.close()
        deadline = time.monotonic() + 60
        while len(app.control.inspect(timeout=1).ping() or {}) < workers:
            if time.monotonic() > deadline:
                raise TimeoutError("workers did not start")
        started = SystemClock().now()
        cpu0 = [cpu_seconds(p.pid) for p in procs]
        db0, own0 = backends_cpu(store), time.process_time()
        t0 = time.perf_counter()
        enqueue_pass(
            store,
            AS_OF,
            fixed=False,
            due_only=False,
            timeout_s=1800,
            stage_tasks=settings.queue.stage_tasks,
        )
        wall = time.perf_counter() - t0
        cpus = [cpu_seconds(p.pid) - c for p, c in zip(procs, cpu0, strict=True)]
        result = {
            "wall": wall,
            "cpu": sum(cpus),
            "db_cpu": backends_cpu(store) - db0,  # backends opened during the pass: all of it
            "bench_cpu": time.process_time() - own0,  # the loopback server and the wait
            "worker_cpu": [round(c, 1) for c in cpus],
            "stages": stage_times(store, started),
            "counts": counts(store),
        }
        app.close()
        return result
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        store.close()
        drop_db(db)
        tasks = task_times(logs)
        if tasks:
            n = sum(k for k, _ in tasks.values())
            print(
                f"  tasks ({workers} worker(s)): {n}, body time {sum(t for _, t in tasks.values()):.1f} s; "
                + ", ".join(
                    f"{name.removeprefix('tapewire.')} {k}x{1000 * t / k:.0f} ms"
                    for name, (k, t) in sorted(tasks.items())
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--instruments", type=int, default=300)
    parser.add_argument("--modes", default="inprocess,1,2")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    served, distinct = files(args.feeds, args.instruments)
    print(
        f"{args.feeds} feeds ({distinct} distinct recordings, links made distinct per copy), "
        f"{args.instruments} instruments (17 real series reused), as of {AS_OF:%Y-%m-%d}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="tapewire-bench-scale-"))  # worker logs
    results: dict[str, dict[str, object]] = {}
    with LoopbackServer(served) as server:
        base = server.base_url
        for mode in args.modes.split(","):
            if mode == "inprocess":
                r = in_process(base, served)
            else:
                r = queued(base, served, int(mode), tmp)
            results[mode] = r
            wall = float(r["wall"])  # type: ignore[arg-type]
            items, insts, briefs = r["counts"]  # type: ignore[misc]
            cpu = float(r["cpu"])  # type: ignore[arg-type]
            print(
                f"{mode:>9}: {wall:6.1f} s (CPU {cpu:.1f} s {r.get('worker_cpu', '')}, "
                f"PostgreSQL backends {r['db_cpu']:.1f} s, bench {r.get('bench_cpu', 0.0):.1f} s)  "
                f"items {items} ({items / wall:.0f}/s)  "
                f"instruments {insts} ({args.instruments / wall:.1f}/s)  briefs {briefs}  "
                f"stages {r['stages']}"
            )
    print(f"load average at end: {os.getloadavg()}")
    if "1" in results and "2" in results:
        ratio = float(results["1"]["wall"]) / float(results["2"]["wall"])  # type: ignore[arg-type]
        print(f"2 workers vs 1: {ratio:.2f}x (goal >= 1.7x)")
    if "inprocess" in results and "2" in results:
        ratio = float(results["inprocess"]["wall"]) / float(results["2"]["wall"])  # type: ignore[arg-type]
        print(f"2 workers vs in-process: {ratio:.2f}x")


if __name__ == "__main__":
    main()
