"""tone: schema for issue #10 (tone)

Revision ID: tone
Revises: themes
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

revision = "tone"
down_revision = "themes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
