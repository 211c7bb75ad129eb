"""perf: schema reserved for the perf branch (empty until that branch fills it)

Revision ID: perf
Revises: hostile
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

revision = "perf"
down_revision = "hostile"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
