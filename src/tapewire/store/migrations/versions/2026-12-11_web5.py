"""web5: brief_chart holds each brief's static chart rendered at publish (issue #16)

The brief page drew its static SVG chart (``publish.render.price_svg``) on every request; a
brief's chart never changes once published, so it is rendered once when the brief is stored
(``newsroom.brief_index.store_brief``) and the page serves the stored SVG. The briefs stored
before this revision are rendered here, with the renderer of the code that runs the migration; a
brief without a row is drawn live by the page (the same SVG).

Revision ID: web5
Revises: pipe5
Create Date: 2026-12-11 12:00:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "web5"
down_revision = "pipe5"
branch_labels = None
depends_on = None

CHUNK = 500


def upgrade() -> None:
    op.create_table(
        "brief_chart",
        sa.Column("brief_id", sa.Integer(), nullable=False),
        sa.Column("svg", sa.Text(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["brief_id"],
            ["brief.id"],
            name=op.f("fk_brief_chart_brief_id_brief"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("brief_id", name=op.f("pk_brief_chart")),
    )
    _backfill()


def _backfill() -> None:
    from tapewire.newsroom.brief_index import chart_row  # the renderer the pages are served with

    bind = op.get_bind()
    table = sa.table(
        "brief_chart",
        sa.column("brief_id", sa.Integer()),
        sa.column("svg", sa.Text()),
        sa.column("caption", sa.Text()),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, chart FROM brief WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": CHUNK},
        ).all()
        if not rows:
            return
        out: list[dict[str, Any]] = []
        for brief_id, chart in rows:
            if isinstance(chart, str):  # SQLite's JSON text; PostgreSQL decodes it already
                chart = json.loads(chart)
            row = chart_row(int(brief_id), chart)
            if row is not None:
                out.append(row)
        if out:
            bind.execute(sa.insert(table), out)
        last = int(rows[-1][0])


def downgrade() -> None:
    op.drop_table("brief_chart")
