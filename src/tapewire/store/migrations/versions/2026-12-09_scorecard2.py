"""scorecard2: schema reserved for the scorecard2 branch (empty until that branch fills it)

Revision ID: scorecard2
Revises: perf2
Create Date: 2026-12-09 12:00:00
"""

from __future__ import annotations

revision = "scorecard2"
down_revision = "perf2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
