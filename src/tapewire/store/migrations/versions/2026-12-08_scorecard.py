"""scorecard: schema reserved for the scorecard branch (empty until that branch fills it)

Revision ID: scorecard
Revises: webperf
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

revision = "scorecard"
down_revision = "webperf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
