"""The stages as Celery tasks, and one pipeline pass as a canvas of them.

Each task carries its ``as_of`` (ISO text) and whether the clock is fixed at it (replay) or the
system clock (live). A task runs the stage's own set-based path on a slice of the pass's feeds
or instruments (``queue.stage_tasks`` slices per stage). A source failure is a line in the
task's report, as in the in-process pipeline; a database or broker error is retried with
exponential backoff. A pass:

    chord(fetch each slice of feeds + load each slice of instruments' bars) -> record
    -> enrich + cluster (one writer: a PostgreSQL advisory lock)
    -> chord(technicals per slice) -> record -> chord(signals per slice) -> record
    -> chord(briefs per slice) -> market brief + record
    -> fill outcomes -> dispatch alerts (hooks: they run when those stages exist)
    -> the pass's reports
"""

from __future__ import annotations

import importlib
import logging
import os
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import redis
from celery import Task, chain, chord, current_app, shared_task
from celery.canvas import Signature
from celery.exceptions import TimeoutError as CeleryTimeoutError
from kombu.exceptions import OperationalError as KombuOperationalError
from redis import RedisError
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from tapewire.clock import Clock, FixedClock, SystemClock
from tapewire.config import QueueSettings, Settings
from tapewire.context import RunContext, StageReport
from tapewire.enrich import stage as enrich_stage
from tapewire.ingest import stage as ingest_stage
from tapewire.ingest.models import Feed, FeedHealth
from tapewire.market import queries as market_queries
from tapewire.market import stage as market_stage
from tapewire.net import HttpClient
from tapewire.newsroom import stage as newsroom_stage
from tapewire.pipeline.models import JobRun
from tapewire.queue.app import QUEUE, task_settings
from tapewire.signals import stage as signals_stage
from tapewire.store import Store, open_store
from tapewire.store.retry import retry_db
from tapewire.technicals import stage as technicals_stage
from tapewire.web.wakeup import publish

log = logging.getLogger(__name__)
RETRY_ON = (OperationalError, DBAPIError, ConnectionError, TimeoutError)
TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": RETRY_ON,
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 10,
}
CLUSTER_LOCK = zlib.crc32(b"tapewire.cluster")  # advisory lock key of the single writer
STAGE_TASKS = QueueSettings.model_fields["stage_tasks"].default  # tasks per stage's fan-out
CHUNK_MAX = 200  # most feeds or instruments in one task (the stages' own chunk: one query each)
# Per worker process: one store and one HTTP client, made after the fork, on first use.
_RUNTIME: dict[str, Any] = {}


def _runtime(settings: Settings) -> tuple[Store, HttpClient]:
    if _RUNTIME.get("pid") != os.getpid():
        _RUNTIME.clear()
        store = open_store(settings.database_url(), busy_timeout_ms=settings.db.busy_timeout_ms)
        _RUNTIME.update(pid=os.getpid(), store=store, http=HttpClient(settings.http))
    return _RUNTIME["store"], _RUNTIME["http"]


def context(app: Any, as_of: str, fixed: bool) -> RunContext:
    """The run context of a task: this process's store and client, the task's ``as_of``."""
    settings = task_settings(app)
    store, http = _runtime(settings)
    when = datetime.fromisoformat(as_of)
    clock: Clock = FixedClock(when) if fixed else SystemClock()
    return RunContext(store=store, settings=settings, as_of=when, http=http, clock=clock)


def _report(report: StageReport) -> dict[str, Any]:
    return report.as_dict()


# ---------------------------------------------------------------- a slice of a stage per task
# A task takes a slice of the pass's feeds or instruments and runs the stage's own set-based
# path on it (``ingest.stage.run(feed_ids=...)``, ``technicals.stage.run(instrument_ids=...)``):
# a task's fixed cost (Celery's result and chord bookkeeping in Redis, the stage's universe
# read, a pool checkout per query) is paid once per slice, not once per feed or instrument.


@shared_task(name="tapewire.ingest_chunk", **TASK_OPTIONS)
def ingest_chunk(self: Task, feed_ids: list[int], as_of: str, fixed: bool) -> dict[str, Any]:
    """Fetch these feeds (``feeds.fetch_workers`` at once), parse them, store their new items
    (unique by canonical URL) and their health."""
    ctx = context(self.app, as_of, fixed)
    return _report(ingest_stage.run(ctx, feed_ids=feed_ids))


@shared_task(name="tapewire.market_chunk", **TASK_OPTIONS)
def market_chunk(self: Task, instrument_ids: list[int], as_of: str, fixed: bool) -> dict[str, Any]:
    """Load these instruments' missing daily bars (stored bars are never written twice)."""
    ctx = context(self.app, as_of, fixed)
    return _report(market_stage.run(ctx, instrument_ids=instrument_ids))


@shared_task(name="tapewire.enrich", **TASK_OPTIONS)
def enrich(self: Task, as_of: str, fixed: bool) -> dict[str, Any]:
    """Links, tone, themes of the recent batch and the story clusters: one writer at a time."""
    ctx = context(self.app, as_of, fixed)
    started = ctx.clock.now()
    with single_writer(ctx.store):
        report = enrich_stage.run(ctx)
        _record(ctx, [report], started)
    return _report(report)


@shared_task(name="tapewire.technicals_chunk", **TASK_OPTIONS)
def technicals_chunk(
    self: Task, instrument_ids: list[int], as_of: str, fixed: bool
) -> dict[str, Any]:
    """These instruments' indicators and levels (replaced per (instrument, as_of))."""
    ctx = context(self.app, as_of, fixed)
    return _report(technicals_stage.run(ctx, instrument_ids=instrument_ids))


@shared_task(name="tapewire.signals_chunk", **TASK_OPTIONS)
def signals_chunk(self: Task, instrument_ids: list[int], as_of: str, fixed: bool) -> dict[str, Any]:
    """These instruments' signals (replaced per (instrument, as_of), one transaction)."""
    ctx = context(self.app, as_of, fixed)
    report = signals_stage.run(ctx, instrument_ids=instrument_ids)
    if report.counts.get("instruments"):
        publish(ctx.settings, "signal")  # every web process's live stream looks now
    return _report(report)


@shared_task(name="tapewire.briefs_chunk", **TASK_OPTIONS)
def briefs_chunk(self: Task, instrument_ids: list[int], as_of: str, fixed: bool) -> dict[str, Any]:
    """These instruments' session and story briefs (a brief's slug is unique: written once)."""
    ctx = context(self.app, as_of, fixed)
    report = newsroom_stage.run_instruments(ctx, instrument_ids=instrument_ids)
    if report.counts.get("briefs"):
        publish(ctx.settings, "brief")
    return _report(report)


@shared_task(name="tapewire.hook", **TASK_OPTIONS)
def hook(self: Task, module: str, as_of: str, fixed: bool) -> dict[str, Any] | None:
    """Run ``<module>.run(ctx)`` when that stage exists (fill outcomes: ``tapewire.scorecard.stage``);
    nothing when it does not."""
    stage = _optional_stage(module)
    if stage is None:
        return None
    ctx = context(self.app, as_of, fixed)
    started = ctx.clock.now()
    report = stage(ctx)
    _record(ctx, [report], started)
    return _report(report)


def _optional_stage(module: str) -> Callable[[RunContext], StageReport] | None:
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError:
        return None
    run = getattr(found, "run", None)
    return run if callable(run) else None


# ---------------------------------------------------------------- fan-in


@shared_task(name="tapewire.record", **TASK_OPTIONS)
def record(
    self: Task, results: list[dict[str, Any] | None], as_of: str, fixed: bool, started: str
) -> list[dict[str, Any]]:
    """Join a fan-out: one job_run row per stage with the summed counts and every error."""
    ctx = context(self.app, as_of, fixed)
    reports = merge(results)
    _record(ctx, reports, datetime.fromisoformat(started))
    return [_report(r) for r in reports]


@shared_task(name="tapewire.market_brief", **TASK_OPTIONS)
def market_brief(
    self: Task, results: list[dict[str, Any] | None], as_of: str, fixed: bool, started: str
) -> list[dict[str, Any]]:
    """After every instrument's briefs: the market brief, then the newsroom's job_run row."""
    ctx = context(self.app, as_of, fixed)
    market = newsroom_stage.run_market(ctx)
    if market.counts.get("briefs"):
        publish(ctx.settings, "brief")
    reports = merge([*results, _report(market)])
    _record(ctx, reports, datetime.fromisoformat(started))
    return [_report(r) for r in reports]


@shared_task(name="tapewire.pass_reports", **TASK_OPTIONS)
def pass_reports(self: Task, as_of: str, fixed: bool, started: str) -> list[dict[str, Any]]:
    """The last link of a pass: the job_run reports it recorded, in stage order."""
    ctx = context(self.app, as_of, fixed)
    since = datetime.fromisoformat(started)
    with ctx.store.read() as s:
        rows = s.scalars(
            select(JobRun)
            .where(JobRun.as_of == ctx.as_of, JobRun.started_at >= since)
            .order_by(JobRun.id)
        ).all()
        return [dict(r.report) for r in rows]


def merge(results: list[dict[str, Any] | None]) -> list[StageReport]:
    """Task reports -> one report per stage, in first-seen order."""
    merged: dict[str, StageReport] = {}
    for result in results:
        if not result:
            continue
        report = merged.setdefault(result["stage"], StageReport(result["stage"]))
        for key, n in result["counts"].items():
            report.add(key, int(n))
        report.errors.extend(result["errors"])
    return list(merged.values())


def _record(ctx: RunContext, reports: list[StageReport], started: datetime) -> None:
    with ctx.store.write() as s:
        for report in reports:
            s.add(
                JobRun(
                    job=report.stage,
                    as_of=ctx.as_of,
                    started_at=started,
                    finished_at=ctx.clock.now(),
                    status="ok" if not report.errors else "partial",
                    report=report.as_dict(),
                )
            )


@contextmanager
def single_writer(store: Store) -> Iterator[None]:
    """Hold the cluster lock: a PostgreSQL session advisory lock (freed if the worker dies, as
    its connection closes); on SQLite the store's own write lock already serializes writers."""
    if store.is_sqlite:
        yield
        return
    with store.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": CLUSTER_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": CLUSTER_LOCK})
            conn.commit()


# ---------------------------------------------------------------- one pass


# Stages run after the briefs. Alerts need no task: each stage writes its alerts in its own
# transaction (ctx.emit), and `tapewire run` or `tapewire alerts dispatch` delivers the outbox.
HOOKS = ("tapewire.scorecard.stage",)


def slices(ids: list[int], tasks: int, *, most: int = CHUNK_MAX) -> list[list[int]]:
    """``ids`` cut into about ``tasks`` slices of equal size (consecutive, in order), each of at
    most ``most``: enough tasks per stage to keep every worker busy to the end of the stage,
    few enough that a task's fixed cost stays small beside its work."""
    if not ids:
        return []
    size = min(most, max(1, -(-len(ids) // max(1, tasks))))
    return [ids[k : k + size] for k in range(0, len(ids), size)]


def pass_canvas(
    store: Store,
    as_of: datetime,
    *,
    fixed: bool,
    due_only: bool,
    started: datetime,
    stage_tasks: int = STAGE_TASKS,
) -> Signature:
    """One pipeline pass over the store's active feeds and instruments, as a Celery canvas; each
    stage's fan-out is ``stage_tasks`` tasks (``queue.stage_tasks``), each over a slice."""
    when, start = as_of.isoformat(), started.isoformat()
    with store.read() as s:
        feeds = s.execute(
            select(Feed.id, Feed.url, FeedHealth.next_poll_at)
            .outerjoin(FeedHealth, FeedHealth.feed_id == Feed.id)
            .where(Feed.active)
            .order_by(Feed.id)
        ).all()
    due = [f for f in feeds if not due_only or f.next_poll_at is None or f.next_poll_at <= as_of]
    ids = [i.id for i in market_queries.instruments(store)]
    feed_parts = slices([f.id for f in due], stage_tasks)
    parts = slices(ids, stage_tasks)

    def fan(tasks: list[Signature], body: Signature) -> Signature:
        return chord(tasks or [noop.si()], body)

    def rec(task: Any = None) -> Signature:
        return (task or record).s(as_of=when, fixed=fixed, started=start)

    return chain(
        fan(
            [ingest_chunk.si(part, when, fixed) for part in feed_parts]
            + [market_chunk.si(part, when, fixed) for part in parts],
            rec(),
        ),
        enrich.si(when, fixed),
        fan([technicals_chunk.si(part, when, fixed) for part in parts], rec()),
        fan([signals_chunk.si(part, when, fixed) for part in parts], rec()),
        fan([briefs_chunk.si(part, when, fixed) for part in parts], rec(market_brief)),
        *[hook.si(module, when, fixed) for module in HOOKS],
        pass_reports.si(when, fixed, start),
    )


@shared_task(name="tapewire.noop")
def noop() -> None:
    """Stands in for an empty fan-out (a chord needs one task)."""
    return None


@shared_task(name="tapewire.cycle", bind=True, acks_late=True)
def cycle(self: Task) -> str:
    """The periodic pass (``tapewire beat``): due feeds and every instrument, as of now."""
    settings = task_settings(self.app)
    store, _http = _runtime(settings)
    now = SystemClock().now()
    canvas = pass_canvas(
        store,
        now,
        fixed=False,
        due_only=True,
        started=now,
        stage_tasks=settings.queue.stage_tasks,
    )
    result = canvas.apply_async()
    return str(result.id)


RESEND_AFTER_S = 60.0  # default of queue.resend_after_s
UNACKED_KEY = "unacked"  # kombu's Redis transport: tasks taken, not yet acknowledged
PRIORITY_STEPS = (0, 3, 6, 9)  # kombu's Redis transport default
MAX_RESENDS = 3
RESULT_POLL_S = 10.0  # longest single wait for a pass's result before reading it again


def enqueue_pass(
    store: Store,
    as_of: datetime,
    *,
    fixed: bool,
    due_only: bool,
    timeout_s: float,
    stage_tasks: int = STAGE_TASKS,
    resend_after_s: float = RESEND_AFTER_S,
) -> list[StageReport]:
    """Run one pass on the workers and wait for it; its reports in stage order. A pass still
    unfinished while the broker has had nothing queued or running for ``resend_after_s`` is
    sent again (a task was lost)."""
    started = (FixedClock(as_of) if fixed else SystemClock()).now()
    deadline = time.monotonic() + timeout_s

    def send() -> Any:
        # the canvas reads the store (feeds, instruments): a database restarting is waited out
        canvas = retry_db(
            lambda: pass_canvas(
                store,
                as_of,
                fixed=fixed,
                due_only=due_only,
                started=started,
                stage_tasks=stage_tasks,
            ),
            what="building the pass",
            timeout_s=timeout_s,
        )
        while True:  # a broker restarting as the pass is sent is waited out (tasks idempotent)
            try:
                return canvas.apply_async()
            except (RedisError, KombuOperationalError, ConnectionError) as exc:
                if time.monotonic() > deadline:
                    raise
                log.warning("sending the pass: %s; retrying", exc)
                time.sleep(1.0)

    pending = send()
    log.debug("the pass is sent (%s); waiting for the workers", pending.id)
    idle_since: float | None = None  # when the broker was first seen with nothing to do
    resends = 0
    while True:  # the broker restarting under us is waited out (its data is on disk)
        try:
            # Short waits: each get() reads the stored result first, so a result announced
            # while the broker was down (its pub/sub message lost) is still found.
            reports = pending.get(
                timeout=min(RESULT_POLL_S, max(1.0, deadline - time.monotonic())),
                disable_sync_subtasks=False,
            )
            return merge(list(reports))
        except CeleryTimeoutError:
            if time.monotonic() > deadline:
                raise
            # Redis's transport can lose a task popped as its connection dropped
            # (celery/kombu#305): that chord never fires, and nothing is queued or in flight.
            # Every task is idempotent, so such a pass is sent again rather than waited on.
            if not broker_idle(current_app.conf.broker_url):
                idle_since = None
                continue
            now = time.monotonic()
            idle_since = now if idle_since is None else idle_since
            if now - idle_since < resend_after_s or resends >= MAX_RESENDS:
                continue
            log.warning(
                "the pass is unfinished and the broker has had nothing queued or running for "
                "%.0f s: a task was lost; sending the pass again",
                now - idle_since,
            )
            pending, idle_since, resends = send(), None, resends + 1
            log.debug("the pass is sent again (%s); waiting for the workers", pending.id)
        except (RedisError, KombuOperationalError, ConnectionError) as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("waiting for the pass: %s; retrying", exc)
            time.sleep(1.0)


def broker_idle(broker_url: str | None) -> bool:
    """A Redis broker holds no task: none queued (any priority) and none taken but unacked. False
    when it cannot say (another broker, or Redis not answering)."""
    if not broker_url or not broker_url.startswith(("redis://", "rediss://", "unix://")):
        return False
    client = redis.Redis.from_url(broker_url, socket_timeout=2.0, socket_connect_timeout=2.0)
    try:
        queued = sum(int(client.llen(key)) for key in _queue_keys())
        return queued == 0 and int(client.hlen(UNACKED_KEY)) == 0
    except RedisError:
        return False
    finally:
        client.close()


def _queue_keys() -> list[str]:
    """The Redis lists of the queue: kombu keeps one per priority step (the first is the name)."""
    return [QUEUE] + [f"{QUEUE}\x06\x16{step}" for step in PRIORITY_STEPS[1:]]
