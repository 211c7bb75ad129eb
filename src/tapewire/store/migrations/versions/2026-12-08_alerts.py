"""alerts: schema for issue #12 (real-time alerts)

API keys (salted hashes only); rules get their owner key, trigger, frequency, cooldown, expiry,
template, signing secret and evaluation state; alerts their event, symbol, dedupe and idempotency
keys and rendered data; outbox rows their rule, target, lease and last result; every delivery
attempt is logged in alert_delivery.

Revision ID: alerts
Revises: scorecard
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tapewire.store.base

revision = "alerts"
down_revision = "scorecard"
branch_labels = None
depends_on = None

UTC = tapewire.store.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=128), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("revoked_at", UTC(timezone=True), nullable=True),
        sa.Column("last_used_at", UTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_key_prefix")),
    )
    with op.batch_alter_table("alert_rule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("api_key_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("trigger", sa.String(length=32), nullable=False, server_default="brief")
        )
        batch_op.add_column(
            sa.Column(
                "frequency", sa.String(length=16), nullable=False, server_default="once_per_bar"
            )
        )
        batch_op.add_column(sa.Column("cooldown_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("template", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("secret", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("state", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("last_fired_at", UTC(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_alert_rule_api_key_id"), ["api_key_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_rule_trigger"), ["trigger"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_alert_rule_api_key_id_api_key"),
            "api_key",
            ["api_key_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event", sa.String(length=32), nullable=False, server_default="brief")
        )
        batch_op.add_column(sa.Column("symbol", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("data", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.create_unique_constraint(batch_op.f("uq_alert_dedupe_key"), ["dedupe_key"])
        batch_op.create_unique_constraint(
            batch_op.f("uq_alert_idempotency_key"), ["idempotency_key"]
        )
        batch_op.create_index("ix_alert_rule_id_id", ["rule_id", "id"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("target", sa.String(length=2048), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("created_at", UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lease_until", UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_status", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("latency_ms", sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_rule_id"), ["rule_id"], unique=False)
        batch_op.create_index("ix_outbox_status_id", ["status", "id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_rule_id_alert_rule"),
            "alert_rule",
            ["rule_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_alert_delivery_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_delivery")),
    )
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_delivery_outbox_id"), ["outbox_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_delivery_outbox_id"))
    op.drop_table("alert_delivery")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_rule_id_alert_rule"), type_="foreignkey")
        batch_op.drop_index("ix_outbox_status_id")
        batch_op.drop_index(batch_op.f("ix_outbox_rule_id"))
        for column in (
            "latency_ms",
            "last_status",
            "delivered_at",
            "lease_until",
            "created_at",
            "target",
            "rule_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_rule_id_id")
        batch_op.drop_constraint(batch_op.f("uq_alert_idempotency_key"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_alert_dedupe_key"), type_="unique")
        for column in ("data", "idempotency_key", "dedupe_key", "symbol", "event"):
            batch_op.drop_column(column)
    with op.batch_alter_table("alert_rule", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_alert_rule_api_key_id_api_key"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_alert_rule_trigger"))
        batch_op.drop_index(batch_op.f("ix_alert_rule_api_key_id"))
        for column in (
            "last_fired_at",
            "state",
            "secret",
            "template",
            "expires_at",
            "cooldown_s",
            "frequency",
            "trigger",
            "api_key_id",
        ):
            batch_op.drop_column(column)
    op.drop_table("api_key")
