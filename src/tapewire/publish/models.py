"""Tables the publish stage owns: publication."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class Publication(Base):
    __tablename__ = "publication"
    __table_args__ = (UniqueConstraint("brief_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("brief.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    published_at: Mapped[datetime]
