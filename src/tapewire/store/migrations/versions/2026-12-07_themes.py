"""themes: schema for issue #10 (themes)

Revision ID: themes
Revises: linking
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "themes"
down_revision = "linking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("news_item_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=32), nullable=False),
        sa.Column("evidence", sa.String(length=255), nullable=False),
        sa.Column("relevance", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["news_item_id"],
            ["news_item.id"],
            name=op.f("fk_item_theme_news_item_id_news_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_theme")),
        sa.UniqueConstraint("news_item_id", "theme", name=op.f("uq_item_theme_news_item_id_theme")),
    )
    with op.batch_alter_table("item_theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_theme_theme"), ["theme"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_theme_theme"))
    op.drop_table("item_theme")
