"""CPU per page and SQLite work per page, in-process, at 1,000 and 10,000 briefs (issue #16).

Builds the demo world into a temporary SQLite store and grows it with ``demo.grow.grow_briefs``
to each size, then, in a subprocess per size and per interpreter, renders the home page, a brief
page, an instrument page and ``/api/briefs`` with the cache off: the endpoint's CPU time per
request (``time.process_time``, no HTTP server: the part that grows with the store), and the
SQLite VM steps and statements one request costs (progress handler, 10-step grain).
``--baseline-python`` measures another checkout's code (e.g. main before #16) on the same stores
and prints the ratio. A loaded machine moves CPU times a little, VM steps not at all.

    .venv/bin/python bench/web/cpu.py [--sizes 1000,10000] [--baseline-python ../main/.venv/bin/python]
"""

from __future__ import annotations

import argparse
import inspect
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
PAGES = ("home", "brief page", "instrument page", "/api/briefs")


def measure(store_dir: Path, n: int) -> dict[str, list[float]]:
    """Runs in the interpreter under test: imports only what main had before #16 too."""
    from sqlalchemy import event, select
    from starlette.requests import Request

    from tapewire.config import load_settings
    from tapewire.newsroom.models import Brief
    from tapewire.store import open_store
    from tapewire.web.app import create_app
    from tapewire.web.routes import api, pages

    settings = load_settings(
        data_dir=store_dir, db={"url": str(store_dir / "bench.db")}, web={"page_cache_size": 0}
    )
    store = open_store(settings.database_url())
    with store.read() as s:
        brief = s.scalars(
            select(Brief)
            .where(Brief.primary_tag != "market", Brief.slug.not_like("%-c%"))
            .order_by(Brief.as_of.desc(), Brief.id.desc())
        ).first()
    assert brief is not None
    counter = {"on": 0, "steps": 0, "statements": 0}
    store.engine.dispose()

    @event.listens_for(store.engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        def tick() -> int:
            counter["steps"] += 10 * counter["on"]
            return 0

        dbapi_connection.set_progress_handler(tick, 10)

    @event.listens_for(store.engine, "before_cursor_execute")
    def _statement(*_args: Any) -> None:
        counter["statements"] += counter["on"]

    app = create_app(settings, store=store)
    templates = app.state.templates

    def request(path: str) -> Request:
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": b"",
            "headers": [(b"host", b"bench")],
            "app": app,
            "router": app.router,
            "scheme": "http",
            "server": ("bench", 80),
            "root_path": "",
        }
        return Request(scope)

    # the desk's home (#15) reads the watchlist from the settings; main's home before it did not
    home_settings = (
        {"settings": settings} if "settings" in inspect.signature(pages.home).parameters else {}
    )
    calls = {
        "home": lambda: pages.home(request("/"), store, templates, **home_settings),
        "brief page": lambda: pages.brief_page(brief.slug, request("/b"), store, templates),
        "instrument page": lambda: pages.instrument_page(
            brief.instruments[0], request("/i"), store, templates
        ),
        "/api/briefs": lambda: api.list_briefs(request("/api/briefs"), store),
    }
    out: dict[str, list[float]] = {}
    for name, call in calls.items():
        for _ in range(3):
            call()
        counter.update(on=1, steps=0, statements=0)
        call()
        counter["on"] = 0
        steps, statements = counter["steps"], counter["statements"]
        best = float("inf")
        for _ in range(3):  # best of 3 runs of n: the least disturbed by other load
            started = time.process_time()
            for _ in range(n):
                call()
            best = min(best, (time.process_time() - started) / n * 1000)
        out[name] = [best, steps, statements]
    store.close()
    return out


def run_measure(python: str, store_dir: Path, n: int) -> dict[str, list[float]]:
    out = subprocess.run(
        [python, __file__, "--measure", str(store_dir), "--n", str(n)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, list[float]] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--baseline-python", help="interpreter of the code to compare with")
    parser.add_argument("--n", type=int, default=50, help="requests per page per run")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.n)))
        return 0

    from tapewire.clock import FixedClock
    from tapewire.config import load_settings
    from tapewire.demo.grow import grow_briefs
    from tapewire.demo.run import run_demo
    from tapewire.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="tapewire-bench-cpu-"))
    try:
        base = tmp / "base"
        base.mkdir()
        settings = load_settings(
            data_dir=base, db={"url": str(base / "bench.db")}, http={"allow_private_urls": True}
        )
        run_demo(settings, as_of=AS_OF, clock=FixedClock(AS_OF))
        print(
            f"{'briefs':>7} {'page':<16} {'code':<9} {'CPU ms/req':>10} {'VM steps':>9} "
            f"{'statements':>10}"
        )
        for size in (int(x) for x in args.sizes.split(",")):
            store = open_store(settings.database_url())
            grow_briefs(store, size)
            store.close()
            copy = tmp / f"s{size}"
            shutil.copytree(base, copy)
            runs = {"this": run_measure(sys.executable, copy, args.n)}
            if args.baseline_python:
                runs["baseline"] = run_measure(args.baseline_python, copy, max(5, args.n // 10))
            for page in PAGES:
                for code, result in runs.items():
                    cpu, steps, statements = result[page]
                    ratio = ""
                    if code == "baseline":
                        ratio = f"  ({cpu / runs['this'][page][0]:.1f}x this code's CPU)"
                    print(
                        f"{size:>7,} {page:<16} {code:<9} {cpu:>10.2f} {steps:>9,.0f} "
                        f"{statements:>10,.0f}{ratio}"
                    )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
