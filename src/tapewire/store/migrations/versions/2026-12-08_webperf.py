"""webperf: schema reserved for the webperf branch (empty until that branch fills it)

Revision ID: webperf
Revises: perf
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

revision = "webperf"
down_revision = "perf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
