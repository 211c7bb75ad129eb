"""Tables the scorecard stage owns: outcome (one graded call each: what was said, what followed).

A call is a daily signal, a published brief, or a backtest signal (``kind``). Its left half is
what the call said as of ``as_of`` (direction, Pulse and its components, Threat, Risk, the named
levels with their side); its right half is filled later from bars dated on or after ``as_of``'s
day only (``scorecard.outcomes``), session by session, until ``complete``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class Outcome(Base):
    __tablename__ = "outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    # signal:<instrument id>:<entry bar date> | brief:<brief id> | backtest:<id>:<entry bar date>
    call_key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # signal | brief | backtest
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"))
    brief_id: Mapped[int | None] = mapped_column(ForeignKey("brief.id", ondelete="CASCADE"))
    as_of: Mapped[datetime] = mapped_column(index=True)
    trigger: Mapped[str] = mapped_column(String(32))  # daily | a brief's trigger | backtest
    direction: Mapped[str] = mapped_column(String(8))
    pulse: Mapped[float] = mapped_column(Float)
    threat: Mapped[int | None]
    risk: Mapped[str | None] = mapped_column(String(8))
    # what the call rested on: {"components": {name: value|None}, "return20_pct", "atr_pct",
    # "realized_vol20_pct", "entry_close", "entry_date"} (scorecard.calls.Call.inputs)
    inputs: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    levels: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    # filled from later bars (scorecard.outcomes.Measured.as_dict); empty until the first one
    measured: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    sessions_seen: Mapped[int] = mapped_column(default=0)
    complete: Mapped[bool] = mapped_column(default=False)
    filled_through: Mapped[date | None]
    computed_at: Mapped[datetime]


class ScorecardSnapshot(Base):
    """A graded scorecard as computed (pages read it, not recompute it): the latest live one,
    one per closed month (its Atom entry), and the latest backtest's."""

    __tablename__ = "scorecard_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # live | month | backtest
    month: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM for a closed month
    as_of: Mapped[datetime]
    computed_at: Mapped[datetime]
    n_calls: Mapped[int]
    data: Mapped[dict[str, object]] = mapped_column(JSON)
