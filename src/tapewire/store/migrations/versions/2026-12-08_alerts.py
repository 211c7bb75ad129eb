"""alerts: schema reserved for the alerts branch (empty until that branch fills it)

Revision ID: alerts
Revises: scorecard
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

revision = "alerts"
down_revision = "scorecard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
