"""Tables the scorecard stage owns: outcome (filled in a later issue)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class Outcome(Base):
    __tablename__ = "outcome"
    __table_args__ = (UniqueConstraint("brief_id", "horizon_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("brief.id", ondelete="CASCADE"))
    horizon_days: Mapped[int]
    return_pct: Mapped[float | None] = mapped_column(Float)
    hit: Mapped[bool | None]
    computed_at: Mapped[datetime]
