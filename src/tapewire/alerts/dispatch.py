"""The dispatcher: claims due outbox rows and delivers them, never letting one target hold up
another.

Each rule's claimed rows go out in order on their own task; a target's deliveries share a
concurrency limit and a rate limit (``alerts.per_target_*``); results are written in batches
every ``alerts.poll_s``. Runs in ``tapewire run`` (a thread) or as ``tapewire alerts dispatch``.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tapewire.alerts.channels.base import AlertChannel, Job, Outcome
from tapewire.alerts.channels.http11 import Http11Pool
from tapewire.alerts.channels.smtp import EmailChannel
from tapewire.alerts.channels.webhook import WebhookChannel
from tapewire.alerts.outbox import Result, claim, next_due, record
from tapewire.clock import Clock, SystemClock
from tapewire.config import AlertsSettings
from tapewire.store import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class DispatchStats:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    claimed: int = 0
    latencies_ms: list[float] = field(default_factory=list)


class _TargetGate:
    """A target's concurrency limit and rate limit (requests started per second)."""

    def __init__(self, concurrency: int, rate: float) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self._interval, self._next = 1.0 / rate, 0.0

    async def wait_turn(self) -> None:
        now = time.monotonic()
        start = max(now, self._next)
        self._next = start + self._interval
        if start > now:
            await asyncio.sleep(start - now)


class Dispatcher:
    def __init__(
        self, store: Store, settings: AlertsSettings, *, clock: Clock | None = None
    ) -> None:
        self.store, self.settings, self.clock = store, settings, clock or SystemClock()
        self.stats = DispatchStats()
        self._busy: set[int] = set()
        self._gates: dict[str, _TargetGate] = {}
        self._results: list[Result] = []
        self._released: list[int] = []
        self._channels: dict[str, AlertChannel] = {}
        self._inflight: set[int] = set()  # claimed outbox ids without a result yet
        self._done: set[int] = (
            set()
        )  # rules whose chain ended; busy until their results are written

    def run(self, stop: threading.Event, *, until_idle: bool = False) -> DispatchStats:
        """Deliver until ``stop`` is set (or, with ``until_idle``, nothing is due or in flight)."""
        return asyncio.run(self._main(stop, until_idle))

    async def _main(self, stop: threading.Event, until_idle: bool) -> DispatchStats:
        pool = Http11Pool()
        try:
            self._channels = {
                "webhook": WebhookChannel(self.settings, pool),
                "email": EmailChannel(self.settings),
            }
            tasks: set[asyncio.Task[None]] = set()
            while not stop.is_set():
                await self._flush()
                jobs = await self._claim()
                for rule_jobs in _by_rule(jobs).values():
                    task = asyncio.create_task(self._deliver_rule(rule_jobs))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                if until_idle and not jobs and not tasks and not self._results:
                    now = self.clock.now()
                    # Idle here; but a lease held elsewhere (a dispatcher that may have died)
                    # or a retry may fall due soon: wait for it, up to one lease. Later retries
                    # stay queued for the next dispatcher.
                    soon = self.settings.lease_s
                    held = await asyncio.to_thread(next_due, self.store, now=now, within_s=soon)
                    if held is None:
                        break
                    wait = min((held - now).total_seconds(), soon)
                    await asyncio.sleep(max(wait, 0.0) + self.settings.poll_s)
                    continue
                if not jobs:
                    await asyncio.sleep(self.settings.poll_s)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._released += sorted(self._inflight)  # stopped mid-delivery: due again at once
            await self._flush()
        finally:
            await pool.close()
        return self.stats

    async def _claim(self) -> list[Job]:
        jobs = await asyncio.to_thread(
            claim,
            self.store,
            self.settings,
            now=self.clock.now(),
            busy_rules=set(self._busy),
            limit=self.settings.batch,
        )
        self.stats.claimed += len(jobs)
        self._inflight |= {j.outbox_id for j in jobs}
        self._busy |= {j.rule_id for j in jobs}
        return jobs

    async def _flush(self) -> None:
        if not self._results and not self._released:
            self._busy -= self._done
            self._done.clear()
            return
        results, released, done = self._results, self._released, set(self._done)
        self._results, self._released = [], []
        await asyncio.to_thread(
            record, self.store, self.settings, results, released, now=self.clock.now()
        )
        self._busy -= done
        self._done -= done

    async def _deliver_rule(self, jobs: list[Job]) -> None:
        """One rule's rows in order; after a failure the rest wait (released, not attempted)."""
        try:
            for i, job in enumerate(jobs):
                outcome = await self._deliver(job)
                self._results.append(Result(job, outcome))
                self._inflight.discard(job.outbox_id)
                self._count(job, outcome)
                if not outcome.ok and outcome.retry and job.attempt < self.settings.max_attempts:
                    rest = [j.outbox_id for j in jobs[i + 1 :]]
                    self._released += rest
                    self._inflight -= set(rest)
                    return
        finally:
            self._done.add(jobs[0].rule_id)

    async def _deliver(self, job: Job) -> Outcome:
        channel = self._channels.get(job.channel)
        if channel is None:
            return Outcome(False, None, 0.0, f"unknown channel {job.channel}", retry=False)
        gate = self._gate(job)
        async with gate.semaphore:
            await gate.wait_turn()
            return await channel.send(job)

    def _gate(self, job: Job) -> _TargetGate:
        parts = urlsplit(job.target) if job.channel == "webhook" else None
        key = parts.netloc if parts else f"smtp:{self.settings.smtp_host}"
        if key not in self._gates:
            self._gates[key] = _TargetGate(
                self.settings.per_target_concurrency, self.settings.per_target_rate_per_s
            )
        return self._gates[key]

    def _count(self, job: Job, outcome: Outcome) -> None:
        if outcome.ok:
            self.stats.delivered += 1
            self.stats.latencies_ms.append(outcome.latency_ms)
        elif not outcome.retry or job.attempt >= self.settings.max_attempts:
            self.stats.dead += 1
            log.warning("alert delivery %s dead-lettered: %s", job.outbox_id, outcome.error)
        else:
            self.stats.failed += 1


def _by_rule(jobs: list[Job]) -> dict[int, list[Job]]:
    out: dict[int, list[Job]] = {}
    for job in jobs:
        out.setdefault(job.rule_id, []).append(job)
    return out


def start_dispatcher(
    store: Store, settings: AlertsSettings, *, clock: Clock | None = None
) -> tuple[threading.Thread, Callable[[], None]]:
    """The dispatcher on a daemon thread (``tapewire run``); returns it and its stop.

    The stop waits (up to ``STOP_WAIT_S``) for the dispatcher to release what it had claimed
    but not delivered, so a restart delivers those rows at once (not after ``lease_s``).

    SIGTERM: uvicorn (the site ``tapewire run`` serves) shuts down gracefully on it, restores
    the handler it found and raises the signal again; with the default handler the process
    died there, before ``run``'s ``finally`` stopped this thread. So in the main thread, when
    SIGTERM still has its default action, it becomes ``SystemExit(0)``: the callers' ``finally``
    blocks run (this stop among them) and the exit is clean.
    """
    stop = threading.Event()
    dispatcher = Dispatcher(store, settings, clock=clock)
    thread = threading.Thread(target=dispatcher.run, args=(stop,), name="alerts", daemon=True)
    thread.start()
    _exit_on_sigterm()

    def stop_and_wait() -> None:
        stop.set()
        thread.join(STOP_WAIT_S)
        if thread.is_alive():
            log.warning("the alerts dispatcher did not stop in %.0f s", STOP_WAIT_S)

    return thread, stop_and_wait


STOP_WAIT_S = 15.0


def _exit_on_sigterm() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _sigterm)


def _sigterm(_signum: int, _frame: object) -> None:
    log.info("SIGTERM: stopping")
    raise SystemExit(0)
