"""The market stage's read API: instruments, daily and intraday bars, cut at ``until`` (as_of)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Date, Float, Integer, bindparam, func, select, text

from tapewire.market.models import Bar, Instrument, IntradayBar, ProviderHealth
from tapewire.market.reads import SeriesView as SeriesView  # read through Core (issue #16)
from tapewire.market.reads import series_summary as series_summary
from tapewire.store import Store


@dataclass(frozen=True, slots=True)
class InstrumentView:
    id: int
    symbol: str
    name: str
    asset_class: str
    currency: str
    benchmark_symbol: str | None
    aliases: tuple[str, ...]
    simulated: bool
    trades_weekends: bool
    calendar: str  # XNYS | FX | 24x7 (market.calendar)
    member_of: tuple[str, ...] = ()  # the indices it is a constituent of (breadth)


@dataclass(frozen=True, slots=True)
class BarView:
    bar_date: date
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True)
class IntradayBarView:
    bar_at: datetime  # the bar's start, UTC
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True)
class ProviderHealthView:
    source: str
    last_status: int | None
    last_error: str | None
    consecutive_failures: int
    rows_rejected: int


def last_usable_date(until: datetime) -> date:
    """A daily bar dated D is known once D has ended (UTC); bars before ``until``'s day qualify."""
    return until.date() - timedelta(days=1)


_INSTRUMENT_COLUMNS = (
    Instrument.id,
    Instrument.symbol,
    Instrument.name,
    Instrument.asset_class,
    Instrument.currency,
    Instrument.benchmark_symbol,
    Instrument.aliases,
    Instrument.simulated,
    Instrument.calendar,
    Instrument.member_of,
)


def instruments(store: Store, *, active_only: bool = True) -> list[InstrumentView]:
    """Plain rows, no ORM objects: every stage and theme lookup calls this (issue #16)."""
    query = select(*_INSTRUMENT_COLUMNS).order_by(Instrument.symbol)
    if active_only:
        query = query.where(Instrument.active)
    with store.read() as s:
        return [_view(tuple(row)) for row in s.execute(query).all()]


# Built once: building a select, cache-keying it and adapting the cached result columns to a
# new statement object cost ~30x running it on SQLite (#16, web3).
_BY_SYMBOL = select(*_INSTRUMENT_COLUMNS).where(Instrument.symbol == bindparam("symbol")).limit(1)


def instrument(store: Store, symbol: str) -> InstrumentView | None:
    with store.connect() as c:
        row = c.execute(_BY_SYMBOL, {"symbol": symbol}).first()
        return _view(tuple(row)) if row else None


def _view(row: tuple[Any, ...]) -> InstrumentView:
    """An ``InstrumentView`` from a row of ``_INSTRUMENT_COLUMNS``."""
    id_, symbol, name, asset_class, currency, benchmark_symbol, aliases, simulated = row[:8]
    calendar, member_of = row[8:]
    return InstrumentView(
        id=id_,
        symbol=symbol,
        name=name,
        asset_class=asset_class,
        currency=currency,
        benchmark_symbol=benchmark_symbol,
        aliases=tuple(aliases or ()),
        simulated=simulated,
        trades_weekends=calendar == "24x7",
        calendar=calendar,
        member_of=tuple(member_of or ()),
    )


@functools.lru_cache(maxsize=4)
def _bars_statement(with_days: bool) -> Any:
    """``bars``' statement, built once per shape (#16)."""
    query = select(
        Bar.bar_date, Bar.open, Bar.high, Bar.low, Bar.close, Bar.volume
    ).where(  # plain rows, no ORM objects (issue #16)
        Bar.instrument_id == bindparam("inst"),
        Bar.interval == "1d",
        Bar.bar_date <= bindparam("last"),
        Bar.partial.is_(False),
    )
    if with_days:
        query = query.where(Bar.bar_date > bindparam("first"))
    return query.order_by(Bar.bar_date)


def bars(
    store: Store, instrument_id: int, *, until: datetime, days: int | None = None
) -> list[BarView]:
    """Completed daily bars known at ``until``, oldest first (optionally the last ``days`` days)."""
    last = last_usable_date(until)
    params: dict[str, Any] = {"inst": instrument_id, "last": last}
    if days is not None:
        params["first"] = last - timedelta(days=days)
    with store.connect() as s:
        rows = s.execute(_bars_statement(days is not None), params).all()
        return [BarView(d, o, h, lo, c, v) for d, o, h, lo, c, v in rows]


SHARED_BARS_MAX = 1_000  # instruments whose bars a run keeps for its later stages (bars_of)


def bars_of(
    store: Store,
    instrument_ids: list[int],
    *,
    until: datetime,
    days: int,
    shared: dict[Any, Any] | None = None,
) -> dict[int, list[BarView]]:
    """``bars`` for many instruments in one query (plain rows, no ORM objects): every id maps
    to its completed daily bars of the last ``days`` days known at ``until``, oldest first.

    ``shared``: the run's cache (``RunContext.cache``). Bars an earlier stage of the run read
    with the same ``until`` and ``days`` come from it, and those read here are kept in it (up
    to ``SHARED_BARS_MAX`` instruments): the technicals stage and the newsroom read the same
    bars once per pass (issue #16). The lists are shared: callers do not change them."""
    last = last_usable_date(until)
    kept: dict[int, list[BarView]] | None = None
    if shared is not None:
        kept = shared.setdefault(("market.bars_of", last, days), {})
    out: dict[int, list[BarView]] = {i: [] for i in instrument_ids}
    missing = list(out) if kept is None else [i for i in out if i not in kept]
    if missing:
        _read_bars_of(store, missing, last=last, days=days, into=out)
    if kept is not None:
        for inst_id in out:
            if inst_id in kept:
                out[inst_id] = kept[inst_id]
            elif len(kept) < SHARED_BARS_MAX:
                kept[inst_id] = out[inst_id]
    return out


def _read_bars_of(
    store: Store,
    instrument_ids: list[int],
    *,
    last: date,
    days: int,
    into: dict[int, list[BarView]],
) -> None:
    query = (
        select(Bar.instrument_id, Bar.bar_date, Bar.open, Bar.high, Bar.low, Bar.close, Bar.volume)
        .where(
            Bar.instrument_id.in_(instrument_ids),
            Bar.interval == "1d",
            Bar.bar_date <= last,
            Bar.bar_date > last - timedelta(days=days),
            Bar.partial.is_(False),
        )
        .order_by(Bar.instrument_id, Bar.bar_date)
    )
    with store.connect() as conn:  # Core rows: half a session's CPU on 60k rows (#16)
        for inst_id, day, open_, high, low, close, volume in conn.execute(query).all():
            into[inst_id].append(BarView(day, open_, high, low, close, volume))


@functools.lru_cache(maxsize=4)
def _last_bar_statement(completed_only: bool) -> Any:
    query = select(func.max(Bar.bar_date)).where(Bar.instrument_id == bindparam("inst"))
    return query.where(Bar.partial.is_(False)) if completed_only else query


def last_bar_date(store: Store, instrument_id: int, *, completed_only: bool = False) -> date | None:
    with store.connect() as s:
        return s.scalar(_last_bar_statement(completed_only), {"inst": instrument_id})  # type: ignore[no-any-return]


def previous_bar_date(store: Store, instrument_id: int, *, before: date) -> date | None:
    """The date of the instrument's last completed daily bar before ``before`` (its previous
    session), or None."""
    query = select(func.max(Bar.bar_date)).where(
        Bar.instrument_id == instrument_id,
        Bar.interval == "1d",
        Bar.partial.is_(False),
        Bar.bar_date < before,
    )
    with store.read() as s:
        return s.scalar(query)


def previous_bar_dates(store: Store, instrument_ids: list[int], *, before: date) -> dict[int, date]:
    """``previous_bar_date`` for many instruments in one query (None-valued ones absent)."""
    if not instrument_ids:
        return {}
    query = (
        select(Bar.instrument_id, func.max(Bar.bar_date))
        .where(
            Bar.instrument_id.in_(instrument_ids),
            Bar.interval == "1d",
            Bar.partial.is_(False),
            Bar.bar_date < before,
        )
        .group_by(Bar.instrument_id)
    )
    with store.read() as s:
        return {inst_id: day for inst_id, day in s.execute(query).all() if day is not None}


def intraday_bars(
    store: Store,
    instrument_id: int,
    interval: str,
    *,
    until: datetime,
    since: datetime | None = None,
) -> list[IntradayBarView]:
    """Intraday bars complete at ``until`` (``bar_at`` + interval <= until), oldest first;
    with ``since``, only bars starting at or after it.

    Raises:
        ConfigError: ``interval`` is not an intraday interval.
    """
    # here, not at the top: the providers package loads httpx, which the CLI's start-up and
    # every reader of this module would pay for (issue #16)
    from tapewire.market.providers.base import intraday_step

    query = select(IntradayBar).where(
        IntradayBar.instrument_id == instrument_id,
        IntradayBar.interval == interval,
        IntradayBar.bar_at <= until - intraday_step(interval),
    )
    if since is not None:
        query = query.where(IntradayBar.bar_at >= since)
    with store.read() as s:
        rows = s.scalars(query.order_by(IntradayBar.bar_at)).all()
        return [IntradayBarView(r.bar_at, r.open, r.high, r.low, r.close, r.volume) for r in rows]


def last_intraday_at(store: Store, instrument_id: int, interval: str) -> datetime | None:
    """The start of the newest stored ``interval`` bar (where an incremental load resumes)."""
    query = select(func.max(IntradayBar.bar_at)).where(
        IntradayBar.instrument_id == instrument_id, IntradayBar.interval == interval
    )
    with store.read() as s:
        return s.scalar(query)


def count_intraday_bars(store: Store, interval: str | None = None) -> int:
    query = select(func.count(IntradayBar.id))
    if interval is not None:
        query = query.where(IntradayBar.interval == interval)
    with store.read() as s:
        return int(s.scalar(query) or 0)


def count_bars(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count(Bar.id))) or 0)


def provider_health(store: Store) -> list[ProviderHealthView]:
    with store.read() as s:
        rows = s.scalars(select(ProviderHealth).order_by(ProviderHealth.source)).all()
        return [
            ProviderHealthView(
                r.source, r.last_status, r.last_error, r.consecutive_failures, r.rows_rejected
            )
            for r in rows
        ]


def reviewed_bars(
    store: Store, instrument_id: int, bars: Sequence[BarView], *, units_of: date | None = None
) -> list[BarView]:
    """``bars`` with the stored price reviews applied (a confirmed split back-adjusted, rejected
    ticks left out): the read every page and brief uses. The flags' meaning lives with the
    screen (market.sanity), imported here lazily (it imports this module)."""
    from tapewire.market.sanity import reviewed_bars as apply_reviews

    return apply_reviews(store, instrument_id, bars, units_of=units_of)


CLOSES_PER_INSTRUMENT = 61  # a sparkline of 60 changes, and the last change


def recent_closes(
    store: Store, instrument_ids: list[int], *, until: datetime, n: int = CLOSES_PER_INSTRUMENT
) -> dict[int, list[tuple[date, float]]]:
    """The last ``n`` completed daily closes known at ``until`` of each instrument, oldest first,
    however old they are (the page labels a stale one by its date).

    One statement of one ``ORDER BY bar_date DESC LIMIT n`` per instrument, each walking the
    ``(instrument_id, interval, bar_date)`` unique index backwards: O(instruments x n) rows,
    whatever the length of the history (the home page, #15)."""
    out: dict[int, list[tuple[date, float]]] = {i: [] for i in instrument_ids}
    if not instrument_ids:
        return out
    params: dict[str, Any] = {f"i{k}": i for k, i in enumerate(instrument_ids)}
    params.update(partial=False, last=last_usable_date(until))
    query = _closes_statement(len(instrument_ids), int(n))
    with store.connect() as c:
        for inst_id, day, close in c.execute(query, params).all():  # one fetchall, not per row
            out[inst_id].append((day, close))
    for rows in out.values():
        rows.sort()
    return out


@dataclass(frozen=True, slots=True)
class MoveAround:
    """The close before a day and the first close on or after it (how a story moved a price)."""

    before_date: date
    before: float
    after_date: date
    after: float

    @property
    def change_pct(self) -> float:
        return (self.after / self.before - 1.0) * 100.0 if self.before else 0.0


def move_around(store: Store, instrument_ids: list[int], day: date) -> dict[int, MoveAround]:
    """For each instrument, its last completed close before ``day`` and its first on or after it
    (two index probes each); instruments missing either side are left out."""
    out: dict[int, MoveAround] = {}
    base = select(Bar.bar_date, Bar.close).where(Bar.interval == "1d", Bar.partial.is_(False))
    with store.connect() as c:
        for inst_id in instrument_ids:
            mine = base.where(Bar.instrument_id == inst_id)
            before = c.execute(
                mine.where(Bar.bar_date < day).order_by(Bar.bar_date.desc()).limit(1)
            ).first()
            after = c.execute(
                mine.where(Bar.bar_date >= day).order_by(Bar.bar_date).limit(1)
            ).first()
            if before is not None and after is not None:
                out[inst_id] = MoveAround(before[0], before[1], after[0], after[1])
    return out


def instruments_by_id(store: Store, instrument_ids: list[int]) -> dict[int, InstrumentView]:
    if not instrument_ids:
        return {}
    query = select(*_INSTRUMENT_COLUMNS).where(Instrument.id.in_(instrument_ids))
    with store.connect() as c:
        return {row[0]: _view(tuple(row)) for row in c.execute(query)}


def instruments_by_symbol(store: Store, symbols: list[str]) -> list[InstrumentView]:
    """Active instruments among ``symbols``, in the order given (the watchlist's order)."""
    if not symbols:
        return []
    query = select(*_INSTRUMENT_COLUMNS).where(Instrument.symbol.in_(symbols), Instrument.active)
    with store.connect() as c:
        found = {row[1]: _view(tuple(row)) for row in c.execute(query)}
    return [found[s] for s in dict.fromkeys(symbols) if s in found]


_ACTIVE = select(*_INSTRUMENT_COLUMNS).where(Instrument.active).order_by(Instrument.symbol)


def active_instruments(store: Store) -> list[InstrumentView]:
    """``instruments()`` on the caller's Core connection (a page's one connection, #16)."""
    with store.connect() as c:
        return [_view(tuple(row)) for row in c.execute(_ACTIVE)]


@functools.lru_cache(maxsize=64)
def _closes_statement(count: int, n: int) -> Any:
    """``recent_closes``' statement for ``count`` instruments, built once per count."""
    parts = [
        f"SELECT * FROM (SELECT instrument_id, bar_date, close FROM bar WHERE instrument_id = :i{k}"
        " AND \"interval\" = '1d' AND partial = :partial AND bar_date <= :last"
        f" ORDER BY bar_date DESC LIMIT {n}) AS c{k}"
        for k in range(count)
    ]
    return (
        text(" UNION ALL ".join(parts))
        .bindparams(bindparam("partial", type_=Boolean()), bindparam("last", type_=Date()))
        .columns(instrument_id=Integer(), bar_date=Date(), close=Float())
    )
