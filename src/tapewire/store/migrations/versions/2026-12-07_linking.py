"""linking: schema for issue #10 (linking)

Revision ID: linking
Revises: outlets
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

revision = "linking"
down_revision = "outlets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
