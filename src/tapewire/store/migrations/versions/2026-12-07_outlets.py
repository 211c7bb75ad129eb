"""outlets: who wrote each item (news_item.outlet, .language) and named stories (issue #10)

Adds ``news_item.outlet`` (NOT NULL) and ``news_item.language``, and recomputes the outlet of
every stored row from what the row and its feed kept (``ingest/outlets.py``: the shipped domain
map, a Google News title suffix or ``site:`` query, the domain; never an aggregator) and its
language from its text. Adds ``story.headline_outlet`` and ``story.outlets`` and fills them from
the stored items (the earliest item's outlet; outlets by first coverage, counted again).

Revision ID: outlets
Revises: 0005
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "outlets"
down_revision = "0005"
branch_labels = None
depends_on = None
BATCH = 1000


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: on SQLite a batch "move and copy" drops and recreates
    # the table, and with foreign keys on, dropping news_item or story cascades into
    # story_item, entity_link and sentiment (their rows would be lost).
    op.add_column(
        "news_item",
        sa.Column(
            "outlet",
            sa.String(length=255),
            nullable=False,
            server_default=sa.text("'unknown outlet'"),
        ),
    )
    op.add_column("news_item", sa.Column("language", sa.String(length=8), nullable=True))
    op.create_index(op.f("ix_news_item_outlet"), "news_item", ["outlet"], unique=False)
    op.add_column(
        "story",
        sa.Column(
            "headline_outlet", sa.String(length=255), nullable=False, server_default=sa.text("''")
        ),
    )
    op.add_column(
        "story", sa.Column("outlets", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
    )
    conn = op.get_bind()
    outlets = _migrate_items(conn)
    _migrate_stories(conn, outlets)


def _migrate_items(conn: Any) -> dict[int, str]:
    """Recompute every stored item's outlet and language; returns id -> outlet."""
    from tapewire.ingest.language import guess_language
    from tapewire.ingest.outlets import recompute_outlet

    item = sa.table(
        "news_item",
        sa.column("id", sa.Integer),
        sa.column("feed_id", sa.Integer),
        sa.column("url", sa.String),
        sa.column("title", sa.String),
        sa.column("summary", sa.Text),
        sa.column("publisher_domain", sa.String),
        sa.column("outlet", sa.String),
        sa.column("language", sa.String),
    )
    feed = sa.table(
        "feed",
        sa.column("id", sa.Integer),
        sa.column("url", sa.String),
        sa.column("title", sa.String),
        sa.column("site_url", sa.String),
    )
    feeds = {
        row.id: (row.title, row.site_url or row.url)
        for row in conn.execute(sa.select(feed.c.id, feed.c.url, feed.c.title, feed.c.site_url))
    }
    rows = conn.execute(
        sa.select(
            item.c.id,
            item.c.feed_id,
            item.c.url,
            item.c.title,
            item.c.summary,
            item.c.publisher_domain,
        ).order_by(item.c.id)
    ).all()
    found: dict[int, str] = {}
    updates: list[dict[str, Any]] = []
    for row in rows:
        feed_title, feed_url = feeds.get(row.feed_id, (None, None))
        outlet = recompute_outlet(row.url, row.title, row.publisher_domain, feed_title, feed_url)
        found[row.id] = outlet[:255]
        language = guess_language(f"{row.title}. {row.summary or ''}")
        updates.append({"b_id": row.id, "b_outlet": outlet[:255], "b_language": language})
    statement = (
        item.update()
        .where(item.c.id == sa.bindparam("b_id"))
        .values(outlet=sa.bindparam("b_outlet"), language=sa.bindparam("b_language"))
    )
    for start in range(0, len(updates), BATCH):
        conn.execute(statement, updates[start : start + BATCH])
    return found


def _migrate_stories(conn: Any, outlets: dict[int, str]) -> None:
    story = sa.table(
        "story",
        sa.column("id", sa.Integer),
        sa.column("outlet_count", sa.Integer),
        sa.column("headline_outlet", sa.String),
        sa.column("outlets", sa.JSON),
    )
    story_item = sa.table(
        "story_item", sa.column("story_id", sa.Integer), sa.column("news_item_id", sa.Integer)
    )
    item = sa.table("news_item", sa.column("id", sa.Integer), sa.column("published_at"))
    members: dict[int, list[int]] = defaultdict(list)
    for story_id, item_id in conn.execute(
        sa.select(story_item.c.story_id, story_item.c.news_item_id)
        .join(item, item.c.id == story_item.c.news_item_id)
        .order_by(story_item.c.story_id, item.c.published_at, item.c.id)
    ):
        members[story_id].append(item_id)
    for story_id, item_ids in members.items():
        names = list(dict.fromkeys(outlets[i] for i in item_ids if i in outlets))
        conn.execute(
            story.update()
            .where(story.c.id == story_id)
            .values(
                headline_outlet=names[0] if names else "",
                outlets=names,
                outlet_count=len(names),
            )
        )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: see upgrade().
    op.drop_column("story", "outlets")
    op.drop_column("story", "headline_outlet")
    op.drop_index(op.f("ix_news_item_outlet"), table_name="news_item")
    op.drop_column("news_item", "language")
    op.drop_column("news_item", "outlet")
