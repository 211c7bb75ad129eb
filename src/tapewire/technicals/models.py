"""Tables the technicals stage owns: indicator, level."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class Indicator(Base):
    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("instrument_id", "as_of", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"))
    as_of: Mapped[datetime]
    bar_date: Mapped[date]
    name: Mapped[str] = mapped_column(String(32))
    value: Mapped[float | None] = mapped_column(Float)


class Level(Base):
    __tablename__ = "level"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instrument.id", ondelete="CASCADE"), index=True
    )
    as_of: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    price: Mapped[float] = mapped_column(Float)
    zone_low: Mapped[float | None] = mapped_column(Float)
    zone_high: Mapped[float | None] = mapped_column(Float)
    touches: Mapped[int] = mapped_column(default=0)
    last_touch_date: Mapped[date | None]
    evidence: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
