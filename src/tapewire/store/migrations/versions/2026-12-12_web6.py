"""web6: schema reserved for the web6 branch (empty until that branch fills it)

Revision ID: web6
Revises: web5
Create Date: 2026-12-12 12:00:00
"""

from __future__ import annotations

revision = "web6"
down_revision = "web5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
