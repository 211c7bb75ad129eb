"""Market stage: incremental bar loads per instrument (daily; intraday where a provider has it);
each source's health is recorded."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tapewire.context import RunContext, StageReport
from tapewire.errors import ConfigError, SourceError
from tapewire.market.models import Bar, Instrument, IntradayBar, ProviderHealth
from tapewire.market.providers import (
    Capabilities,
    CsvFileProvider,
    IntradayBarIn,
    ParsedBars,
    ParsedIntraday,
    PriceProvider,
    StooqProvider,
    YahooProvider,
    intraday_source,
    intraday_step,
)
from tapewire.market.queries import last_bar_date, last_intraday_at, last_usable_date
from tapewire.store.upsert import insert_new

log = logging.getLogger(__name__)
EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    symbol: str
    name: str
    asset_class: str
    currency: str = "USD"
    benchmark_symbol: str | None = None
    aliases: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()
    provider: str | None = None
    provider_symbol: str | None = None
    source_url: str | None = None
    trades_weekends: bool = False
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class LoadResult:
    symbol: str
    source: str
    fetched: int
    new: int
    rejected: int
    error: str | None


@dataclass(frozen=True, slots=True)
class IntradayLoadResult:
    symbol: str
    source: str
    interval: str
    fetched: int  # complete bars inside the window asked for
    new: int  # of those, stored now (not stored before)
    rejected: int
    forming: int  # bars still forming in the answer: not stored, fetched again next time
    error: str | None


def ensure_instrument(s: Session, spec: InstrumentSpec) -> int:
    """The id of the instrument with ``spec.symbol``; saved from ``spec`` only if it is new (an
    intraday load leaves the daily provider and other settings of a known instrument alone)."""
    found = s.scalar(select(Instrument.id).where(Instrument.symbol == spec.symbol))
    return found if found is not None else save_instrument(s, spec)


def save_instrument(s: Session, spec: InstrumentSpec) -> int:
    """Insert or update an instrument by symbol; returns its id."""
    row = s.scalars(select(Instrument).where(Instrument.symbol == spec.symbol)).first()
    if row is None:  # inserted idempotently: another writer may be adding the same symbol
        new = Instrument(symbol=spec.symbol, name=spec.name, asset_class=spec.asset_class)
        insert_new(s, new, conflict=("symbol",))
        row = s.scalars(select(Instrument).where(Instrument.symbol == spec.symbol)).one()
    row.name, row.asset_class, row.currency = spec.name, spec.asset_class, spec.currency
    row.benchmark_symbol, row.aliases = spec.benchmark_symbol, list(spec.aliases)
    row.member_of = list(spec.member_of)
    row.provider, row.provider_symbol = spec.provider, spec.provider_symbol
    row.source_url, row.simulated, row.active = spec.source_url, spec.simulated, True
    row.calendar = calendar_for(spec.asset_class, spec.trades_weekends)
    s.flush()
    return row.id


def save_bars(s: Session, instrument_id: int, parsed: ParsedBars, *, source: str) -> int:
    """Write bars not stored yet (by date). Completed bars are never rewritten; a stored partial
    bar is replaced by its completed version. Returns how many bars were written."""
    dates = [b.bar_date for b in parsed.bars]
    if not dates:
        return 0
    stored = dict(
        s.execute(
            select(Bar.bar_date, Bar.partial).where(
                Bar.instrument_id == instrument_id, Bar.interval == "1d", Bar.bar_date >= min(dates)
            )
        ).all()
    )
    last = parsed.bars[-1].bar_date
    for b in parsed.bars:
        if stored.get(b.bar_date):  # a stored partial bar: replaced by this one
            s.execute(
                update(Bar)
                .where(
                    Bar.instrument_id == instrument_id,
                    Bar.interval == "1d",
                    Bar.bar_date == b.bar_date,
                )
                .values(
                    open=b.open,
                    high=b.high,
                    low=b.low,
                    close=b.close,
                    volume=b.volume,
                    partial=parsed.partial_last and b.bar_date == last,
                )
            )
    new = [b for b in parsed.bars if b.bar_date not in stored]
    if new:
        _insert_bars(
            s,
            [
                (
                    instrument_id,
                    "1d",
                    b.bar_date,
                    b.open,
                    b.high,
                    b.low,
                    b.close,
                    b.volume,
                    parsed.partial_last and b.bar_date == last,
                    source,
                )
                for b in new
            ],
        )
    return len(new)


_BAR_COLUMNS = "instrument_id, interval, bar_date, open, high, low, close, volume, partial, source"


def _insert_bars(s: Session, rows: list[tuple[Any, ...]]) -> None:
    """One DB-API ``executemany`` of new daily bars (issue #16: an ORM object, or even a Core
    insert's bind processing, per bar cost 20 ms per 1,000 bars). On SQLite the values are
    given as SQLAlchemy stores them (ISO dates, 0/1)."""
    connection = s.connection()
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO bar ({_BAR_COLUMNS}) VALUES ({', '.join([mark] * 10)})"
    if sqlite:
        rows = [(*r[:2], r[2].isoformat(), *r[3:8], int(r[8]), r[9]) for r in rows]
    connection.exec_driver_sql(sql, rows)


def load_bars(
    ctx: RunContext,
    instrument_id: int,
    symbol: str,
    provider: PriceProvider,
    *,
    source: str,
    full_history: bool = False,
) -> LoadResult:
    """Fetch only what is missing (from the day after the last stored bar) and store it.

    A first load reaches back ``market.history_days``, or to the start of the file with
    ``full_history``. Bars of the day of ``as_of`` or later are never stored (not complete).
    """
    last = last_bar_date(ctx.store, instrument_id, completed_only=True)
    end = last_usable_date(ctx.as_of)
    first = EARLIEST if full_history else end - timedelta(days=ctx.settings.market.history_days)
    start = last + timedelta(days=1) if last else first
    if start > end:
        return LoadResult(symbol, source, 0, 0, 0, None)
    now = ctx.clock.now()
    try:
        parsed = _within(provider.fetch_bars(symbol, start=start, end=end), start, end)
    except (SourceError, ConfigError) as exc:
        with ctx.store.write() as s:
            _record_health(s, source, now, error=str(exc), rejected=0)
        return LoadResult(symbol, source, 0, 0, 0, str(exc))
    with ctx.store.write() as s:
        new = save_bars(s, instrument_id, parsed, source=provider.name)
        _record_health(s, source, now, error=None, rejected=len(parsed.rejected))
    return LoadResult(symbol, source, len(parsed.bars), new, len(parsed.rejected), None)


def _within(parsed: ParsedBars, start: date, end: date) -> ParsedBars:
    """Only bars in [start, end], whatever a provider returns: none of as_of's day or later."""
    kept = tuple(b for b in parsed.bars if start <= b.bar_date <= end)
    partial = parsed.partial_last and bool(kept) and kept[-1] == parsed.bars[-1]
    return ParsedBars(kept, parsed.rejected, partial)


def _record_health(
    s: Session, source: str, now: datetime, *, error: str | None, rejected: int
) -> None:
    row = s.scalars(select(ProviderHealth).where(ProviderHealth.source == source)).first()
    if row is None:
        row = ProviderHealth(source=source, consecutive_failures=0, rows_rejected=0)
        s.add(row)
    row.last_fetched_at = now
    row.rows_rejected = rejected
    if error is None:
        row.last_status, row.last_error, row.consecutive_failures, row.last_ok_at = (
            200,
            None,
            0,
            now,
        )
    else:
        row.last_status, row.last_error = None, " ".join(error.split())[:1000]
        row.consecutive_failures = (row.consecutive_failures or 0) + 1


def save_intraday_bars(
    s: Session, instrument_id: int, interval: str, bars: tuple[IntradayBarIn, ...], *, source: str
) -> int:
    """Write the bars not stored yet (by start time); stored bars are complete, never rewritten.
    Returns how many bars were written."""
    if not bars:
        return 0
    stored = set(
        s.scalars(
            select(IntradayBar.bar_at).where(
                IntradayBar.instrument_id == instrument_id,
                IntradayBar.interval == interval,
                IntradayBar.bar_at >= min(b.bar_at for b in bars),
            )
        )
    )
    new = [b for b in bars if b.bar_at not in stored]
    s.add_all(
        IntradayBar(
            instrument_id=instrument_id,
            interval=interval,
            bar_at=b.bar_at,
            open=b.open,
            high=b.high,
            low=b.low,
            close=b.close,
            volume=b.volume,
            source=source,
        )
        for b in new
    )
    return len(new)


def load_intraday(
    ctx: RunContext,
    instrument_id: int,
    symbol: str,
    provider: PriceProvider,
    interval: str,
    *,
    source: str,
) -> IntradayLoadResult:
    """Fetch the ``interval`` bars after the newest stored one, up to ``as_of``, and store them.

    A first load reaches back as far as the provider serves the interval (else
    ``market.history_days``). Only bars complete at ``as_of`` (start + interval <= as_of) are
    stored, whatever the provider sends.

    Raises:
        ConfigError: the provider has no ``interval`` bars (nothing is fetched or recorded).
    """
    fetcher = intraday_source(provider, interval)
    start, end = _intraday_window(ctx, instrument_id, interval, fetcher.capabilities)
    if start + intraday_step(interval) > end:
        return IntradayLoadResult(symbol, source, interval, 0, 0, 0, 0, None)
    now = ctx.clock.now()
    try:
        answer = fetcher.fetch_intraday(symbol, interval=interval, start=start, end=end)
    except (SourceError, ConfigError) as exc:
        with ctx.store.write() as s:
            _record_health(s, source, now, error=str(exc), rejected=0)
        return IntradayLoadResult(symbol, source, interval, 0, 0, 0, 0, str(exc))
    parsed = _intraday_within(answer, start, end, interval)
    with ctx.store.write() as s:
        new = save_intraday_bars(s, instrument_id, interval, parsed.bars, source=provider.name)
        _record_health(s, source, now, error=None, rejected=len(parsed.rejected))
    return IntradayLoadResult(
        symbol, source, interval, len(parsed.bars), new, len(parsed.rejected), answer.forming, None
    )


def _intraday_window(
    ctx: RunContext, instrument_id: int, interval: str, capabilities: Capabilities
) -> tuple[datetime, datetime]:
    """[start, as_of): from the bar after the newest stored one, never further back than the
    provider serves (a 1m series left for a month resumes at the provider's horizon)."""
    reach = capabilities.lookback(interval) or timedelta(days=ctx.settings.market.history_days)
    earliest = ctx.as_of - reach
    last = last_intraday_at(ctx.store, instrument_id, interval)
    if last is None:
        return earliest, ctx.as_of
    return max(last + intraday_step(interval), earliest), ctx.as_of


def _intraday_within(
    parsed: ParsedIntraday, start: datetime, end: datetime, interval: str
) -> ParsedIntraday:
    """Only bars starting at or after ``start`` and complete by ``end`` (as_of), whatever a
    provider returns (a plugin's naive times included: they are not comparable, so not kept)."""
    step = intraday_step(interval)
    kept = tuple(
        b
        for b in parsed.bars
        if b.bar_at.tzinfo is not None and start <= b.bar_at and b.bar_at + step <= end
    )
    return ParsedIntraday(kept, parsed.rejected, parsed.forming, parsed.gaps)


def provider_for(ctx: RunContext, name: str | None, source_url: str | None) -> PriceProvider:
    """The provider an instrument is loaded with (built-ins; entry points come with issue #4)."""
    if name == "csvfile" and source_url:
        return CsvFileProvider(ctx.http, location=source_url)
    if name == "yahoo":
        return YahooProvider(ctx.http, base_url=source_url or ctx.settings.market.yahoo_base_url)
    if name in (None, "stooq"):
        return StooqProvider(ctx.http, base_url=source_url or ctx.settings.market.stooq_base_url)
    raise ConfigError(f"unknown price provider {name!r}")


def run(ctx: RunContext, *, instrument_ids: Collection[int] | None = None) -> StageReport:
    """Bring every active instrument's daily bars up to ``ctx.as_of`` (``instrument_ids``: only
    these, a queued task's slice of the pass)."""
    report = StageReport("market")
    query = select(Instrument).where(Instrument.active, Instrument.provider.is_not(None))
    if instrument_ids is not None:
        query = query.where(Instrument.id.in_(list(instrument_ids)))
    with ctx.store.read() as s:
        rows = [
            (r.id, r.symbol, r.provider, r.provider_symbol, r.source_url)
            for r in s.scalars(query.order_by(Instrument.id))
        ]
    for inst_id, symbol, provider_name, provider_symbol, source_url in rows:
        provider = provider_for(ctx, provider_name, source_url)
        result = load_bars(
            ctx, inst_id, provider_symbol or symbol, provider, source=f"{provider.name}:{symbol}"
        )
        report.add("instruments")
        report.add("new_bars", result.new)
        if result.error:
            report.fail(symbol, result.error)
    return report


def calendar_for(asset_class: str, trades_weekends: bool) -> str:
    if trades_weekends:
        return "24x7"
    return "FX" if asset_class == "Forex" else "XNYS"
