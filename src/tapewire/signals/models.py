"""Tables the signals stage owns: signal (with its components)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class Signal(Base):
    __tablename__ = "signal"
    __table_args__ = (UniqueConstraint("instrument_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"))
    as_of: Mapped[datetime]
    pulse: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(8))
    heat: Mapped[float | None] = mapped_column(Float)
    heat_label: Mapped[str | None] = mapped_column(String(8))
    risk: Mapped[str | None] = mapped_column(String(8))
    threat: Mapped[int | None]
    components: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
