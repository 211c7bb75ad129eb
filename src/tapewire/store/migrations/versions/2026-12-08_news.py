"""news: schema reserved for the news branch (empty until that branch fills it)

Revision ID: news
Revises: tone
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

revision = "news"
down_revision = "tone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
