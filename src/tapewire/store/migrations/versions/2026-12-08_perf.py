"""perf: schema for issue #16 (the pipeline half)

``brief_session``: the bar (and direction) each instrument's session brief was written from, one
row per brief, indexed on (symbol, as_of), so the newsroom's "newest brief before as_of" is an
indexed lookup and not a scan of recent fact sheets (which missed instruments beyond the 200
newest briefs and wrote duplicate briefs at scale). Backfilled from the stored briefs.

Revision ID: perf
Revises: hostile
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

from tapewire.store.base import UTCDateTime

revision = "perf"
down_revision = "hostile"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "brief_session",
        sa.Column("brief_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("as_of", UTCDateTime(timezone=True), nullable=False),
        sa.Column("bar_date", sa.Date(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["brief_id"], ["brief.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("brief_id"),
    )
    op.create_index("ix_brief_session_symbol_as_of", "brief_session", ["symbol", "as_of"])
    op.bulk_insert(table, list(_backfill()))


def _backfill() -> list[dict[str, Any]]:
    """One row per stored instrument brief that is not a hot-story brief."""
    query = sa.text(
        "SELECT b.id, b.instruments, b.as_of, b.direction, f.data FROM brief b "
        "JOIN fact_sheet f ON f.id = b.fact_sheet_id WHERE b.trigger != 'heat'"
    ).columns(
        sa.column("id", sa.Integer()),
        sa.column("instruments", sa.JSON()),
        sa.column("as_of", UTCDateTime(timezone=True)),
        sa.column("direction", sa.String()),
        sa.column("data", sa.JSON()),
    )
    out: list[dict[str, Any]] = []
    for brief_id, instruments, as_of, direction, data in op.get_bind().execute(query):
        bar = (data or {}).get("bar_date")
        if not instruments or not bar:
            continue  # the market brief (no instrument), or a sheet without a session
        out.append(
            {
                "brief_id": brief_id,
                "symbol": instruments[0],
                "as_of": as_of,
                "bar_date": date.fromisoformat(str(bar)[:10]),
                "direction": direction,
            }
        )
    return out


def downgrade() -> None:
    op.drop_index("ix_brief_session_symbol_as_of", table_name="brief_session")
    op.drop_table("brief_session")
