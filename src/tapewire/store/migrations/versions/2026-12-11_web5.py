"""web5: schema reserved for the web5 branch (empty until that branch fills it)

Revision ID: web5
Revises: pipe5
Create Date: 2026-12-11 12:00:00
"""

from __future__ import annotations

revision = "web5"
down_revision = "pipe5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
