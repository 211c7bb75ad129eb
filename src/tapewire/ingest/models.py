"""Tables the ingest stage owns: feed, feed_health, news_item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class Feed(Base):
    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(String(512))
    site_url: Mapped[str | None] = mapped_column(String(2048))
    active: Mapped[bool] = mapped_column(default=True)
    added_at: Mapped[datetime]


class FeedHealth(Base):
    __tablename__ = "feed_health"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feed.id", ondelete="CASCADE"), unique=True)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    last_warning: Mapped[str | None] = mapped_column(String(1000))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    last_fetched_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime | None]
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    items_seen: Mapped[int] = mapped_column(default=0)


class NewsItem(Base):
    __tablename__ = "news_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feed.id", ondelete="SET NULL"))
    guid: Mapped[str | None] = mapped_column(String(2048))
    url: Mapped[str] = mapped_column(String(2048))
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(String(1000))
    summary: Mapped[str] = mapped_column(Text, default="")
    publisher_domain: Mapped[str] = mapped_column(String(255), index=True)
    publisher_name: Mapped[str | None] = mapped_column(String(255))
    published_at: Mapped[datetime] = mapped_column(index=True)
    date_from_fetch: Mapped[bool] = mapped_column(default=False)
    fetched_at: Mapped[datetime]
    # Who wrote it, as readers know the outlet ("Reuters"); never an aggregator (ingest/outlets.py)
    outlet: Mapped[str] = mapped_column(String(255), index=True)
    language: Mapped[str | None] = mapped_column(String(8))  # ISO 639-1, None when unknown
