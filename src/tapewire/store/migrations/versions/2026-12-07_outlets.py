"""outlets: schema for issue #10 (outlets)

Revision ID: outlets
Revises: 0005
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

revision = "outlets"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
