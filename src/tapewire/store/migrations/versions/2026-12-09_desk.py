"""desk: indexes for the home page's top stories and the story page (#15)

Revision ID: desk
Revises: alerts2
Create Date: 2026-12-09 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "desk"
down_revision = "alerts2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_last_seen_at"), ["last_seen_at"], unique=False)
    with op.batch_alter_table("story_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_item_story_id"), ["story_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("story_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_item_story_id"))
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_last_seen_at"))
