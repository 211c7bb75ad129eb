"""alerts2: schema reserved for the alerts2 branch (empty until that branch fills it)

Revision ID: alerts2
Revises: scaleout
Create Date: 2026-12-09 12:00:00
"""

from __future__ import annotations

revision = "alerts2"
down_revision = "scaleout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
