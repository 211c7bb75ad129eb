"""The outbox: claim due deliveries in order per rule, record results, the delivery log.

A claimed row is ``delivering`` with a lease; a dispatcher killed mid-delivery leaves the lease
to expire and the row is delivered again, with the same idempotency key (at-least-once). A rule
whose earliest undelivered row waits for a retry (or is leased) has no later row claimed, so a
target down for an hour gets its alerts in order once it is back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, insert, or_, select, update

from tapewire.alerts.channels.base import Job, Outcome
from tapewire.alerts.models import Alert, AlertDelivery, AlertRule, Outbox
from tapewire.config import AlertsSettings
from tapewire.store import Store


@dataclass(frozen=True, slots=True)
class Result:
    job: Job
    outcome: Outcome


def retry_floor_s(settings: AlertsSettings) -> float:
    """The shortest time from an alert's first attempt to its dead letter: the sum of the
    smallest waits between its ``max_attempts`` attempts."""
    return sum(
        min(settings.backoff_cap_s, settings.backoff_base_s * 2.0 ** (n - 1)) / 2.0
        for n in range(1, settings.max_attempts)
    )


def backoff_s(attempt: int, settings: AlertsSettings, rng: random.Random | None = None) -> float:
    """Exponential backoff with equal jitter: uniform in [d/2, d], d = min(cap, base * 2**(attempt-1))
    (never less than half, so the retry schedule has a floor: see ``retry_floor_s``)."""
    ceiling = min(settings.backoff_cap_s, settings.backoff_base_s * 2.0 ** max(attempt - 1, 0))
    return (rng or random).uniform(ceiling / 2.0, ceiling)


def next_due(store: Store, *, now: datetime, within_s: float) -> datetime | None:
    """When undelivered work next falls due within ``within_s`` seconds: the end of a lease held
    on a row being delivered (perhaps by a dispatcher that died: the row is due again then), or a
    retry's time; None when nothing falls due that soon."""
    horizon = now + timedelta(seconds=within_s)
    with store.read() as s:
        lease: datetime | None = s.scalar(
            select(func.min(Outbox.lease_until)).where(
                Outbox.status == "delivering",
                Outbox.lease_until > now,
                Outbox.lease_until <= horizon,
            )
        )
        retry: datetime | None = s.scalar(
            select(func.min(Outbox.next_attempt_at)).where(
                Outbox.status == "pending",
                Outbox.next_attempt_at > now,
                Outbox.next_attempt_at <= horizon,
            )
        )
    times = [t if t.tzinfo is not None else t.replace(tzinfo=UTC) for t in (lease, retry) if t]
    return min(times, default=None)


def claim(
    store: Store,
    settings: AlertsSettings,
    *,
    now: datetime,
    busy_rules: set[int],
    limit: int,
) -> list[Job]:
    """Lease the due rows of rules not blocked by an earlier waiting or leased row."""
    lease = now + timedelta(seconds=settings.lease_s)
    due = or_(
        and_(Outbox.status == "pending", Outbox.next_attempt_at <= now),
        and_(Outbox.status == "delivering", Outbox.lease_until <= now),
    )
    waiting = or_(
        and_(Outbox.status == "pending", Outbox.next_attempt_at > now),
        and_(Outbox.status == "delivering", Outbox.lease_until > now),
    )
    with store.write() as s:
        blocked = set(s.scalars(select(Outbox.rule_id).where(waiting).distinct())) | busy_rules
        query = (
            select(Outbox, Alert.idempotency_key, AlertRule.secret)
            .join(Alert, Alert.id == Outbox.alert_id)
            .join(AlertRule, AlertRule.id == Outbox.rule_id)
            .where(due)
            .order_by(Outbox.id)
            .limit(limit)
        )
        if not store.is_sqlite:
            query = query.with_for_update(of=Outbox, skip_locked=True)
        jobs = [
            _job(row, key, secret)
            for row, key, secret in s.execute(query)
            if row.rule_id not in blocked
        ]
        if jobs:
            ids = [j.outbox_id for j in jobs]
            s.execute(
                update(Outbox)
                .where(Outbox.id.in_(ids))
                .values(status="delivering", lease_until=lease)
                .execution_options(synchronize_session=False)
            )
        return jobs


def _job(row: Outbox, key: str | None, secret: str | None) -> Job:
    return Job(
        outbox_id=row.id,
        rule_id=row.rule_id or 0,
        channel=row.channel,
        target=row.target,
        payload=dict(row.payload),
        idempotency_key=key or f"tw-outbox-{row.id}",
        secret=secret,
        attempt=row.attempts + 1,
    )


def record(
    store: Store,
    settings: AlertsSettings,
    results: list[Result],
    released: list[int],
    *,
    now: datetime,
) -> None:
    """Write attempts' results and the delivery log (in bulk); release rows not attempted."""
    with store.write() as s:
        if results:
            s.execute(update(Outbox), [_outcome_row(settings, r, now=now) for r in results])
            s.execute(insert(AlertDelivery), [_log_row(r, now=now) for r in results])
        if released:
            s.execute(
                update(Outbox)
                .where(Outbox.id.in_(released), Outbox.status == "delivering")
                .values(status="pending", lease_until=None, next_attempt_at=now)
            )


def _outcome_row(settings: AlertsSettings, result: Result, *, now: datetime) -> dict[str, object]:
    job, out = result.job, result.outcome
    status, next_at = "pending", now
    if out.ok:
        status = "delivered"
    elif not out.retry or job.attempt >= settings.max_attempts:
        status = "dead"
    else:
        next_at = now + timedelta(seconds=backoff_s(job.attempt, settings))
    return {
        "id": job.outbox_id,
        "status": status,
        "next_attempt_at": next_at,
        "delivered_at": now if out.ok else None,
        "attempts": job.attempt,
        "last_status": out.status,
        "latency_ms": round(out.latency_ms, 3),
        "last_error": (out.error or "")[:1000] or None,
        "lease_until": None,
    }


def _log_row(result: Result, *, now: datetime) -> dict[str, object]:
    job, out = result.job, result.outcome
    return {
        "outbox_id": job.outbox_id,
        "attempt": job.attempt,
        "at": now,
        "ok": out.ok,
        "status_code": out.status,
        "latency_ms": round(out.latency_ms, 3),
        "error": (out.error or "")[:1000] or None,
    }
