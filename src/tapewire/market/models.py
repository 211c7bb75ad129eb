"""Tables the market stage owns: instrument, bar, intraday_bar, provider_health."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from tapewire.store.base import Base


class Instrument(Base):
    __tablename__ = "instrument"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    asset_class: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(8), default="USD")
    benchmark_symbol: Mapped[str | None] = mapped_column(String(64))
    calendar: Mapped[str] = mapped_column(String(32), default="XNYS")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    member_of: Mapped[list[str]] = mapped_column(JSON, default=list)  # index symbols (breadth)
    provider: Mapped[str | None] = mapped_column(String(32))
    provider_symbol: Mapped[str | None] = mapped_column(String(64))
    source_url: Mapped[str | None] = mapped_column(String(2048))
    simulated: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)


class Bar(Base):
    __tablename__ = "bar"
    __table_args__ = (UniqueConstraint("instrument_id", "interval", "bar_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"))
    interval: Mapped[str] = mapped_column(String(8), default="1d")
    bar_date: Mapped[date]
    open: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    close: Mapped[float] = mapped_column(Float)
    volume: Mapped[float] = mapped_column(Float, default=0.0)
    partial: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(String(64))
    # Price sanity (market.sanity): why the bar looks wrong (a suspected split or bad tick), and
    # whether a person accepted it (`tapewire prices confirm`); suspect bars stay out of indicators.
    sanity: Mapped[str | None] = mapped_column(String(255))
    sanity_ok: Mapped[bool] = mapped_column(default=False, server_default=false())


class IntradayBar(Base):
    """An intraday bar (60m, 15m, 5m, 1m): only complete bars are stored, keyed by their start.

    Kept apart from the daily ``bar`` table, whose analysis readers (technicals, signals, the
    newsroom) read daily bars only; a bar is known once ``bar_at`` + its interval has passed.
    """

    __tablename__ = "intraday_bar"
    __table_args__ = (UniqueConstraint("instrument_id", "interval", "bar_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"))
    interval: Mapped[str] = mapped_column(String(8))
    bar_at: Mapped[datetime]  # the bar's start, UTC
    open: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    close: Mapped[float] = mapped_column(Float)
    volume: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str | None] = mapped_column(String(64))


class ProviderHealth(Base):
    __tablename__ = "provider_health"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(2048), unique=True)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    last_fetched_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    rows_rejected: Mapped[int] = mapped_column(default=0)
