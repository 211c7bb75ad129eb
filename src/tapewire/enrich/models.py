"""Tables the enrich stage owns: entity_link, ticker_mention, ticker_candidate, sentiment, story,
story_item, item_theme."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class EntityLink(Base):
    __tablename__ = "entity_link"
    __table_args__ = (UniqueConstraint("news_item_id", "instrument_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    news_item_id: Mapped[int] = mapped_column(ForeignKey("news_item.id", ondelete="CASCADE"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"))
    relevance: Mapped[float] = mapped_column(Float)
    matched: Mapped[str] = mapped_column(String(255))  # kept equal to evidence (older readers)
    kind: Mapped[str] = mapped_column(String(16), default="name")  # cashtag|ticker|name|market
    field: Mapped[str] = mapped_column(String(16), default="title")  # title | summary
    evidence: Mapped[str] = mapped_column(String(255), default="")  # the exact words matched
    tone: Mapped[float | None] = mapped_column(Float, default=None)  # toward THIS instrument


class TickerMention(Base):
    """An unknown symbol (cashtag or exchange ticker) seen in an item: counted once per item."""

    __tablename__ = "ticker_mention"
    __table_args__ = (UniqueConstraint("symbol", "news_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(32), index=True)
    news_item_id: Mapped[int] = mapped_column(ForeignKey("news_item.id", ondelete="CASCADE"))
    seen_at: Mapped[datetime]


class TickerCandidate(Base):
    """A symbol the store does not have, as news mentions it (``tapewire instruments suggest``)."""

    __tablename__ = "ticker_candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(32), unique=True)
    count: Mapped[int] = mapped_column(default=0)  # items that mention it
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    example: Mapped[str] = mapped_column(String(1000))  # the latest mentioning headline


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
    last_seen_at: Mapped[datetime] = mapped_column(index=True)  # the home's top stories (#15)
    item_count: Mapped[int] = mapped_column(default=0)
    outlet_count: Mapped[int] = mapped_column(default=0)
    # ``title`` is the representative headline, verbatim; this is the outlet that ran it
    headline_outlet: Mapped[str] = mapped_column(String(255), default="")
    outlets: Mapped[list[str]] = mapped_column(JSON, default=list)  # distinct, by first coverage


class StoryItem(Base):
    __tablename__ = "story_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("story.id", ondelete="CASCADE"), index=True
    )  # a story page reads its items (#15)
    news_item_id: Mapped[int] = mapped_column(
        ForeignKey("news_item.id", ondelete="CASCADE"), unique=True
    )


class ItemTheme(Base):
    """A theme an item is about (``enrich/themes.py``), with the words that showed it."""

    __tablename__ = "item_theme"
    __table_args__ = (UniqueConstraint("news_item_id", "theme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    news_item_id: Mapped[int] = mapped_column(ForeignKey("news_item.id", ondelete="CASCADE"))
    theme: Mapped[str] = mapped_column(String(32), index=True)
    evidence: Mapped[str] = mapped_column(String(255))
    relevance: Mapped[float] = mapped_column(Float)
