"""themes: schema for issue #10 (themes)

Revision ID: themes
Revises: linking
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

revision = "themes"
down_revision = "linking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
