"""hostile: schema reserved for the hostile branch (empty until that branch fills it)

Revision ID: hostile
Revises: news
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

revision = "hostile"
down_revision = "news"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
