"""Tables the alerts stage owns: api_key, alert_rule, alert, outbox, alert_delivery."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class ApiKey(Base):
    """A key: only its salted SHA-256 is stored; ``prefix`` finds the row, the hash proves it."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    salt: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class AlertRule(Base):
    __tablename__ = "alert_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(2048))
    criteria: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_key.id", ondelete="CASCADE"), index=True
    )
    trigger: Mapped[str] = mapped_column(String(32), default="brief", index=True)
    frequency: Mapped[str] = mapped_column(String(16), default="once_per_bar")
    cooldown_s: Mapped[int | None]
    expires_at: Mapped[datetime | None]
    template: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(String(128))  # webhook signing; never shown
    state: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    last_fired_at: Mapped[datetime | None]


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_rule_id_id", "rule_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rule.id", ondelete="CASCADE"))
    brief_id: Mapped[int | None] = mapped_column(ForeignKey("brief.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    event: Mapped[str] = mapped_column(String(32), default="brief")
    symbol: Mapped[str | None] = mapped_column(String(64))
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class Outbox(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_rule.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String(2048), default="")
    created_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    latency_ms: Mapped[float | None] = mapped_column(Float)


class AlertDelivery(Base):
    """One delivery attempt: the delivery log."""

    __tablename__ = "alert_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int]
    at: Mapped[datetime]
    ok: Mapped[bool]
    status_code: Mapped[int | None]
    latency_ms: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(String(1000))
