"""desk: schema reserved for the desk branch (empty until that branch fills it)

Revision ID: desk
Revises: alerts2
Create Date: 2026-12-09 12:00:00
"""

from __future__ import annotations

revision = "desk"
down_revision = "alerts2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
