"""scaleout: schema reserved for the scaleout branch (empty until that branch fills it)

Revision ID: scaleout
Revises: alerts
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

revision = "scaleout"
down_revision = "alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
