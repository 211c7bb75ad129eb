"""webperf: indexes of briefs kept at publish time, so pages read O(page) rows (issue #16)

brief_tag, brief_instrument and brief_source hold one row per (brief, key) indexed by
(key, as_of, brief_id); tag_count each tag's number of briefs; the brief table gains keyset,
market-brief and simulated indexes. The briefs stored before this revision are backfilled here
(``newsroom.brief_index.index_briefs`` keeps the tables from then on).

Revision ID: webperf
Revises: perf
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import sqlalchemy as sa
from alembic import op

import tapewire.store.base

revision = "webperf"
down_revision = "perf"
branch_labels = None
depends_on = None

BACKFILL_CHUNK = 1000


def _key_table(name: str, key: str, key_type: sa.types.TypeEngine[Any]) -> None:
    op.create_table(
        name,
        sa.Column("brief_id", sa.Integer(), nullable=False),
        sa.Column(key, key_type, nullable=False),
        sa.Column("as_of", tapewire.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brief_id"], ["brief.id"], name=op.f(f"fk_{name}_brief_id_brief"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("brief_id", key, name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(f"ix_{name}_{key}_as_of", [key, "as_of", "brief_id"], unique=False)


def upgrade() -> None:
    _key_table("brief_tag", "tag", sa.Text())
    _key_table("brief_instrument", "symbol", sa.String(length=64))
    _key_table("brief_source", "url_key", sa.String(length=40))
    op.create_table(
        "tag_count",
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tag", name=op.f("pk_tag_count")),
    )
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.create_index("ix_brief_as_of_id", ["as_of", "id"], unique=False)
        batch_op.create_index(
            "ix_brief_primary_tag_as_of", ["primary_tag", "as_of", "id"], unique=False
        )
        batch_op.create_index("ix_brief_simulated", ["simulated"], unique=False)
    _backfill()


def _backfill() -> None:
    """Index every brief already stored, a chunk at a time (same rows as ``index_briefs``)."""
    bind = op.get_bind()
    brief = sa.table(
        "brief",
        sa.column("id", sa.Integer()),
        sa.column("as_of", sa.DateTime()),
        sa.column("tags", sa.JSON()),
        sa.column("instruments", sa.JSON()),
        sa.column("sources", sa.JSON()),
    )
    as_of = sa.DateTime()
    tables = {
        name: sa.table(name, sa.column("brief_id"), sa.column(key), sa.column("as_of", as_of))
        for name, key in (
            ("brief_tag", "tag"),
            ("brief_instrument", "symbol"),
            ("brief_source", "url_key"),
        )
    }
    counts: Counter[str] = Counter()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(brief).where(brief.c.id > last_id).order_by(brief.c.id).limit(BACKFILL_CHUNK)
        ).all()
        if not rows:
            break
        out: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        for r in rows:
            for tag in dict.fromkeys(r.tags or []):
                out["brief_tag"].append({"brief_id": r.id, "tag": tag, "as_of": r.as_of})
                counts[tag] += 1
            for symbol in dict.fromkeys(r.instruments or []):
                out["brief_instrument"].append(
                    {"brief_id": r.id, "symbol": symbol, "as_of": r.as_of}
                )
            for key in dict.fromkeys(
                hashlib.sha1(str(src["url"]).encode(), usedforsecurity=False).hexdigest()
                for src in r.sources or []
                if src.get("url")
            ):
                out["brief_source"].append({"brief_id": r.id, "url_key": key, "as_of": r.as_of})
        for name, values in out.items():
            if values:
                bind.execute(sa.insert(tables[name]), values)
        last_id = rows[-1].id
    if counts:
        tag_count = sa.table("tag_count", sa.column("tag"), sa.column("n"))
        bind.execute(sa.insert(tag_count), [{"tag": t, "n": n} for t, n in sorted(counts.items())])


def downgrade() -> None:
    with op.batch_alter_table("brief", schema=None) as batch_op:
        batch_op.drop_index("ix_brief_simulated")
        batch_op.drop_index("ix_brief_primary_tag_as_of")
        batch_op.drop_index("ix_brief_as_of_id")
    op.drop_table("tag_count")
    for name, key in (
        ("brief_source", "url_key"),
        ("brief_instrument", "symbol"),
        ("brief_tag", "tag"),
    ):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{name}_{key}_as_of")
        op.drop_table(name)
