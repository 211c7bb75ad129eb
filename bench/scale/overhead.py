"""A queued task's fixed cost on one worker: Celery's own, and each stage's on an empty slice.

One `tapewire worker --pool solo` on Redis, a fresh PostgreSQL database holding the bench's
300 instruments (registered, no bars: the stage reads its universe, there is nothing to
compute). Each line is one chord of ``--tasks`` tasks joined by ``tapewire.record``, timed from
sending to the join; printed: wall ms per task and the worker's CPU ms per task.

    tapewire.noop             Celery alone: the message, the result and the chord counter in Redis
    tapewire.*_chunk([])      the same plus the task's context and the stage's fixed reads

    .venv/bin/python bench/scale/overhead.py [--tasks 200] [--instruments 300]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tapewire.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import AS_OF, BROKER, cpu_seconds, drop_db, fresh_db, register, settings_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--instruments", type=int, default=300)
    args = parser.parse_args()
    from celery import chord

    from tapewire.queue import tasks
    from tapewire.queue.app import make_app

    db = fresh_db()
    settings = settings_for(db, BROKER)
    store = open_store(db)
    tmp = Path(tempfile.mkdtemp(prefix="tapewire-bench-overhead-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TAPEWIRE_")},
        "TAPEWIRE_DB__URL": db,
        "TAPEWIRE_QUEUE__BROKER_URL": BROKER,
        "TAPEWIRE_DATA_DIR": str(tmp),
    }
    served = {f"/prices/S{n}.csv": (b"", "text/csv") for n in range(args.instruments)}
    register(store, "http://127.0.0.1:9", served)
    app = make_app(settings)
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    with (tmp / "worker.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tapewire.cli", "worker", "--pool", "solo"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not app.control.inspect(timeout=1).ping():
            if time.monotonic() > deadline:
                raise TimeoutError("the worker did not start")
        when = AS_OF.isoformat()
        print(f"load average at start: {os.getloadavg()}")
        kinds = {
            "noop": lambda: tasks.noop.si(),
            "ingest_chunk([])": lambda: tasks.ingest_chunk.si([], when, False),
            "market_chunk([])": lambda: tasks.market_chunk.si([], when, False),
            "technicals_chunk([])": lambda: tasks.technicals_chunk.si([], when, False),
            "signals_chunk([])": lambda: tasks.signals_chunk.si([], when, False),
            "briefs_chunk([])": lambda: tasks.briefs_chunk.si([], when, False),
        }
        for name, make in kinds.items():
            body = tasks.record.s(as_of=when, fixed=False, started=when)
            canvas = chord([make() for _ in range(args.tasks)], body)
            cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
            canvas.apply_async().get(timeout=600, disable_sync_subtasks=False)
            wall, cpu = time.perf_counter() - t0, cpu_seconds(proc.pid) - cpu0
            print(
                f"{name:>22}: {1000 * wall / args.tasks:6.1f} ms/task wall, "
                f"{1000 * cpu / args.tasks:6.1f} ms/task worker CPU ({args.tasks} tasks)"
            )
        print(f"load average at end: {os.getloadavg()}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        app.close()
        store.close()
        drop_db(db)


if __name__ == "__main__":
    main()
