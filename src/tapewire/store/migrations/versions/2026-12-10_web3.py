"""web3: schema reserved for the web3 branch (empty until that branch fills it)

Revision ID: web3
Revises: scorecard2
Create Date: 2026-12-10 12:00:00
"""

from __future__ import annotations

revision = "web3"
down_revision = "scorecard2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
