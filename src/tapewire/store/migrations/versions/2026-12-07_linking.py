"""linking: schema for issue #10 (linking)

Entity links carry their kind, field and evidence; unknown tickers seen in news are kept as
candidates (ticker_mention: one row per symbol and item; ticker_candidate: the count, first and
last seen and an example headline). Stored links get kind "name", field "title" and their old
``matched`` words as evidence (the old linker recorded nothing finer).

Revision ID: linking
Revises: outlets
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tapewire.store.base

revision = "linking"
down_revision = "outlets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entity_link", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="name")
        )
        batch_op.add_column(
            sa.Column("field", sa.String(length=16), nullable=False, server_default="title")
        )
        batch_op.add_column(
            sa.Column("evidence", sa.String(length=255), nullable=False, server_default="")
        )
    op.execute("UPDATE entity_link SET evidence = matched")
    op.create_table(
        "ticker_mention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("news_item_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", tapewire.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["news_item_id"],
            ["news_item.id"],
            name=op.f("fk_ticker_mention_news_item_id_news_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticker_mention")),
        sa.UniqueConstraint(
            "symbol", "news_item_id", name=op.f("uq_ticker_mention_symbol_news_item_id")
        ),
    )
    with op.batch_alter_table("ticker_mention", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticker_mention_symbol"), ["symbol"], unique=False)
    op.create_table(
        "ticker_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", tapewire.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", tapewire.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("example", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticker_candidate")),
        sa.UniqueConstraint("symbol", name=op.f("uq_ticker_candidate_symbol")),
    )


def downgrade() -> None:
    op.drop_table("ticker_candidate")
    with op.batch_alter_table("ticker_mention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticker_mention_symbol"))
    op.drop_table("ticker_mention")
    with op.batch_alter_table("entity_link", schema=None) as batch_op:
        batch_op.drop_column("evidence")
        batch_op.drop_column("field")
        batch_op.drop_column("kind")
