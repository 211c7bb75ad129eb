"""`tapewire status`: queue depths and workers (when a broker is set), the last run of each
stage, and the feeds failing now. Every part says when it cannot be read, and the rest still
shows."""

from __future__ import annotations

from typing import Any

from tapewire.config import Settings
from tapewire.ingest.reads import failing_feeds as failing_feeds  # Core reads: no ORM (#16)
from tapewire.pipeline.reads import last_runs as last_runs
from tapewire.store import Store

PING_TIMEOUT_S = 1.5


def gather_status(settings: Settings, store: Store) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mode": "queue" if settings.queue.broker_url else "in-process",
        "queues": {},
        "workers": [],
        "broker_error": None,
        "stages": last_runs(store),
        "failing_feeds": failing_feeds(store),
    }
    if settings.queue.broker_url:
        try:
            out["queues"], out["workers"] = _broker_status(settings)
        except Exception as exc:  # the broker is down: say so, show the store's part
            out["broker_error"] = " ".join(str(exc).split())[:300] or type(exc).__name__
    return out


def _broker_status(settings: Settings) -> tuple[dict[str, int], list[str]]:
    from tapewire.queue.app import QUEUE, make_app  # Celery: only with a broker (issue #16)

    app = make_app(settings)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            with conn.channel() as channel:
                depth = channel.queue_declare(queue=QUEUE, passive=False).message_count
        replies = app.control.inspect(timeout=PING_TIMEOUT_S).ping() or {}
        return {QUEUE: int(depth)}, sorted(replies)
    finally:
        app.close()


def status_text(d: dict[str, Any]) -> str:
    lines = [f"mode: {d['mode']}"]
    if d["broker_error"]:
        lines.append(f"broker: unreachable ({d['broker_error']})")
    for name, depth in d["queues"].items():
        lines.append(f"queue {name}: {depth} waiting")
    if d["mode"] == "queue" and not d["broker_error"]:
        lines.append(f"workers: {len(d['workers'])}" + "".join(f"\n  {w}" for w in d["workers"]))
    lines.append("last run of each stage:" if d["stages"] else "no stage has run yet")
    for r in d["stages"]:
        counts = ", ".join(f"{k} {v}" for k, v in r["counts"].items())
        errors = f"; {r['errors']} errors" if r["errors"] else ""
        lines.append(f"  {r['stage']}: {r['status']} as of {r['as_of']} ({counts}){errors}")
    lines.append(f"failing feeds: {len(d['failing_feeds'])}")
    lines += [f"  {f['url']}: {f['failures']}x, {f['error']}" for f in d["failing_feeds"]]
    return "\n".join(lines)
