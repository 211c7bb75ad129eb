"""Tables the enrich stage owns: entity_link, sentiment, story, story_item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class EntityLink(Base):
    __tablename__ = "entity_link"
    __table_args__ = (UniqueConstraint("news_item_id", "instrument_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    news_item_id: Mapped[int] = mapped_column(ForeignKey("news_item.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"))
    relevance: Mapped[float] = mapped_column(Float)
    matched: Mapped[str] = mapped_column(String(255))
    tone: Mapped[float | None] = mapped_column(Float, default=None)  # toward THIS instrument


class Sentiment(Base):
    __tablename__ = "sentiment"

    id: Mapped[int] = mapped_column(primary_key=True)
    news_item_id: Mapped[int] = mapped_column(
        ForeignKey("news_item.id", ondelete="CASCADE"), unique=True
    )
    score: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(64))


class Story(Base):
    __tablename__ = "story"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(String(1000))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    item_count: Mapped[int] = mapped_column(default=0)
    outlet_count: Mapped[int] = mapped_column(default=0)


class StoryItem(Base):
    __tablename__ = "story_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"))
    news_item_id: Mapped[int] = mapped_column(
        ForeignKey("news_item.id", ondelete="CASCADE"), unique=True
    )
