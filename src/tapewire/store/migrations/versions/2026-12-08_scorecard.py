"""scorecard: the outcome table holds graded calls (issue #13)

The old ``outcome`` (brief_id, horizon_days, return_pct, hit) was never filled; it is replaced by
one row per call (a daily signal, a brief or a backtest signal) with what the call said and,
filled later from bars after its as_of, what followed (``scorecard/models.py``).

Revision ID: scorecard
Revises: webperf
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tapewire.store.base

revision = "scorecard"
down_revision = "webperf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("outcome")  # always empty before this revision
    op.create_table(
        "outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_key", sa.String(length=96), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("brief_id", sa.Integer(), nullable=True),
        sa.Column("as_of", tapewire.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("pulse", sa.Float(), nullable=False),
        sa.Column("threat", sa.Integer(), nullable=True),
        sa.Column("risk", sa.String(length=8), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("measured", sa.JSON(), nullable=False),
        sa.Column("sessions_seen", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("filled_through", sa.Date(), nullable=True),
        sa.Column("computed_at", tapewire.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brief_id"], ["brief.id"], name=op.f("fk_outcome_brief_id_brief"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument.id"],
            name=op.f("fk_outcome_instrument_id_instrument"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome")),
        sa.UniqueConstraint("call_key", name=op.f("uq_outcome_call_key")),
    )
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outcome_as_of"), ["as_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_outcome_kind"), ["kind"], unique=False)
    op.create_table(
        "scorecard_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("as_of", tapewire.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("computed_at", tapewire.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("n_calls", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_snapshot")),
    )
    with op.batch_alter_table("scorecard_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scorecard_snapshot_kind"), ["kind"], unique=False)


def downgrade() -> None:
    op.drop_table("scorecard_snapshot")
    op.drop_table("outcome")
    op.create_table(
        "outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brief_id", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("return_pct", sa.Float(), nullable=True),
        sa.Column("hit", sa.Boolean(), nullable=True),
        sa.Column("computed_at", tapewire.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brief_id"], ["brief.id"], name=op.f("fk_outcome_brief_id_brief"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome")),
        sa.UniqueConstraint(
            "brief_id", "horizon_days", name=op.f("uq_outcome_brief_id_horizon_days")
        ),
    )
