"""Tables the newsroom stage owns: fact_sheet, brief, verification, brief_session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class FactSheet(Base):
    __tablename__ = "fact_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[datetime]
    data: Mapped[dict[str, object]] = mapped_column(JSON)


class Brief(Base):
    __tablename__ = "brief"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    as_of: Mapped[datetime] = mapped_column(index=True)
    published_at: Mapped[datetime]
    category: Mapped[str] = mapped_column(String(32))
    primary_tag: Mapped[str] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    instruments: Mapped[list[str]] = mapped_column(JSON, default=list)
    direction: Mapped[str] = mapped_column(String(8))
    pulse: Mapped[float] = mapped_column(Float)
    heat: Mapped[float | None] = mapped_column(Float)
    heat_label: Mapped[str | None] = mapped_column(String(8))
    risk: Mapped[str | None] = mapped_column(String(8))
    threat: Mapped[int | None]
    headline: Mapped[str] = mapped_column(String(500))
    dek: Mapped[str] = mapped_column(Text)
    sections: Mapped[dict[str, object]] = mapped_column(JSON)
    sources: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    chart: Mapped[dict[str, object] | None] = mapped_column(JSON)
    read_minutes: Mapped[int] = mapped_column(default=1)
    writer: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(32), default="daily")  # newsroom.decide
    trigger_reason: Mapped[str | None] = mapped_column(String(500))
    simulated: Mapped[bool] = mapped_column(default=False)
    fact_sheet_id: Mapped[int] = mapped_column(ForeignKey("fact_sheet.id"))
    outcome: Mapped[dict[str, object] | None] = mapped_column(JSON)


class Verification(Base):
    __tablename__ = "verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("brief.id", ondelete="CASCADE"), unique=True)
    ok: Mapped[bool]
    checked: Mapped[int]
    failed: Mapped[int]
    claims: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    rounding: Mapped[str] = mapped_column(String(255))
    checked_at: Mapped[datetime]
    # How the text came to be: failed LLM attempts and why, a fallback to the template writer.
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)

    @classmethod
    def of(
        cls, brief_id: int, result: dict[str, Any], *, notes: Sequence[str], at: datetime
    ) -> Verification:
        """The row of a brief's verification (``verify.Verification.as_dict()``)."""
        return cls(
            brief_id=brief_id,
            ok=result["ok"],
            checked=result["checked"],
            failed=result["failed"],
            claims=result["claims"],
            rounding=result["rounding"],
            checked_at=at,
            notes=list(notes),
        )


class BriefSession(Base):
    """The session a session brief was written from: one row per instrument brief (not the
    hot-story briefs, not the market brief), written in the brief's own transaction.

    ``newsroom.stage`` asks "the bar of the instrument's newest brief before ``as_of``" with one
    indexed lookup on (symbol, as_of) instead of decoding recent fact sheets (issue #16).
    """

    __tablename__ = "brief_session"
    __table_args__ = (Index("ix_brief_session_symbol_as_of", "symbol", "as_of"),)

    brief_id: Mapped[int] = mapped_column(
        ForeignKey("brief.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    symbol: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[datetime]
    bar_date: Mapped[date]
    direction: Mapped[str] = mapped_column(String(8))
