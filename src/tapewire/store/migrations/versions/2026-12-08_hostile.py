"""hostile: price sanity flags on daily bars (suspected split or bad tick, and accepted)

Revision ID: hostile
Revises: news
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "hostile"
down_revision = "news"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bar", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sanity", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("sanity_ok", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("bar", schema=None) as batch_op:
        batch_op.drop_column("sanity_ok")
        batch_op.drop_column("sanity")
