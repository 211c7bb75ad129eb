"""instrument index membership (breadth); what triggered each brief

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instrument", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_of", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("trigger", sa.String(length=32), nullable=False, server_default="daily")
        )
        batch_op.add_column(sa.Column("trigger_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.drop_column("trigger_reason")
        batch_op.drop_column("trigger")
    with op.batch_alter_table("instrument", schema=None) as batch_op:
        batch_op.drop_column("member_of")
