"""perf2: schema reserved for the perf2 branch (empty until that branch fills it)

Revision ID: perf2
Revises: desk
Create Date: 2026-12-09 12:00:00
"""

from __future__ import annotations

revision = "perf2"
down_revision = "desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
