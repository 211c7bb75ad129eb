"""pipe5: schema reserved for the pipe5 branch (empty until that branch fills it)

Revision ID: pipe5
Revises: web3
Create Date: 2026-12-11 12:00:00
"""

from __future__ import annotations

revision = "pipe5"
down_revision = "web3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
