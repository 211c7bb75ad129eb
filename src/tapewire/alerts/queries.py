"""The alerts stage's read API (CLI, web): rules, alerts, deliveries, keys.

The web's alerts API also writes through the functions re-exported here (rules and keys are
the alerts stage's own tables; the web holds no SQL of its own).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tapewire.alerts.evaluate import queue_test_alert
from tapewire.alerts.keys import AuthError, KeyView, authenticate
from tapewire.alerts.models import Alert, AlertRule, Outbox
from tapewire.alerts.ratelimit import KeyRateLimiter, retry_after
from tapewire.alerts.rules import (
    RuleError,
    RuleSpec,
    RuleView,
    add_rule,
    get_rule,
    list_rules,
    remove_rule,
    rule_secret,
)
from tapewire.alerts.targets import TargetError
from tapewire.store import Store

__all__ = [
    "AlertView",
    "AuthError",
    "DeliveryView",
    "KeyRateLimiter",
    "KeyView",
    "RuleError",
    "RuleSpec",
    "RuleView",
    "TargetError",
    "add_rule",
    "alerts_after",
    "check_key",
    "deliveries",
    "feed_token",
    "get_rule",
    "list_rules",
    "queue_test",
    "remove_rule",
    "retry_after",
    "rule_secret",
]


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    rule_id: int
    event: str
    symbol: str | None
    created_at: datetime
    idempotency_key: str | None
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DeliveryView:
    outbox_id: int
    rule_id: int | None
    alert_id: int
    channel: str
    status: str  # pending | delivering | delivered | dead
    attempts: int
    last_status: int | None
    latency_ms: float | None
    last_error: str | None
    created_at: datetime | None
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    idempotency_key: str | None

    def public(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def feed_token(secret: str | None) -> str:
    """The unguessable part of a rule's Atom feed URL (derived from its secret)."""
    return hmac.new((secret or "").encode(), b"atom-feed", hashlib.sha256).hexdigest()[:32]


def check_key(store: Store, text: str | None, *, scope: str, now: datetime) -> KeyView:
    """Authenticate a presented key (records its last use)."""
    with store.write() as s:
        return authenticate(s, text, scope=scope, now=now)


def queue_test(store: Store, rule_id: int, *, now: datetime) -> int:
    """A test alert for a rule, queued like a real one; returns its alert id."""
    with store.write() as s:
        row = s.get(AlertRule, rule_id)
        if row is None:
            raise RuleError(f"no rule with id {rule_id}")
        return queue_test_alert(s, row, now=now)


def alerts_after(
    store: Store, rule_ids: list[int], after_id: int = 0, *, limit: int = 50, newest: bool = False
) -> list[AlertView]:
    """Alerts of these rules with id > ``after_id``, oldest first (``newest``: the latest)."""
    if not rule_ids:
        return []
    query = select(Alert).where(Alert.rule_id.in_(rule_ids), Alert.id > after_id)
    query = query.order_by(Alert.id.desc() if newest else Alert.id).limit(limit)
    with store.read() as s:
        rows = s.scalars(query).all()
    views = [
        AlertView(r.id, r.rule_id, r.event, r.symbol, r.created_at, r.idempotency_key, r.data)
        for r in rows
    ]
    return sorted(views, key=lambda v: v.id)


def deliveries(
    store: Store, *, rule_ids: list[int] | None = None, status: str | None = None, limit: int = 50
) -> list[DeliveryView]:
    """The newest deliveries (the log), optionally of some rules or one status (``dead``)."""
    query = select(Outbox, Alert.idempotency_key).join(Alert, Alert.id == Outbox.alert_id)
    if rule_ids is not None:
        query = query.where(Outbox.rule_id.in_(rule_ids))
    if status is not None:
        query = query.where(Outbox.status == status)
    with store.read() as s:
        rows = s.execute(query.order_by(Outbox.id.desc()).limit(limit)).all()
    return [
        DeliveryView(
            outbox_id=o.id,
            rule_id=o.rule_id,
            alert_id=o.alert_id,
            channel=o.channel,
            status=o.status,
            attempts=o.attempts,
            last_status=o.last_status,
            latency_ms=o.latency_ms,
            last_error=o.last_error,
            created_at=o.created_at,
            delivered_at=o.delivered_at,
            next_attempt_at=o.next_attempt_at,
            idempotency_key=key,
        )
        for o, key in rows
    ]
