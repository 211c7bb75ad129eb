"""tone: schema for issue #10 (tone)

``entity_link.tone``: the tone of the item toward THAT instrument in [-1, 1] (``enrich.tone``),
NULL for links made before it existed (readers fall back to the item's sentiment).

Revision ID: tone
Revises: themes
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "tone"
down_revision = "themes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entity_link") as batch:
        batch.add_column(sa.Column("tone", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entity_link") as batch:
        batch.drop_column("tone")
