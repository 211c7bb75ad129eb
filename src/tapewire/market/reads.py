"""The market stage's Core reads for the CLI, without the ORM: ``tapewire prices list`` and
``instruments suggest`` load no ``sqlalchemy.orm`` (CLI start-up, issue #16); ``market.queries``
re-exports them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Boolean, Date, Integer, String, column, func, select

from tapewire.store import Store
from tapewire.store.light import light_table

_instrument = light_table(
    "instrument",
    column("id", Integer()),
    column("symbol", String()),
    column("name", String()),
    column("asset_class", String()),
    column("simulated", Boolean()),
)
_bar = light_table(
    "bar",
    column("id", Integer()),
    column("instrument_id", Integer()),
    column("interval", String()),
    column("bar_date", Date()),
)


@dataclass(frozen=True, slots=True)
class SeriesView:
    """An instrument and the span of its stored daily bars (``tapewire prices list``)."""

    symbol: str
    name: str
    asset_class: str
    bars: int
    first: date | None
    last: date | None
    simulated: bool


def series_summary(store: Store) -> list[SeriesView]:
    """Every instrument with its daily bar count and first and last bar date, by symbol."""
    counts = (
        select(
            _bar.c.instrument_id,
            func.count(_bar.c.id).label("n"),
            func.min(_bar.c.bar_date).label("first"),
            func.max(_bar.c.bar_date).label("last"),
        )
        .where(_bar.c.interval == "1d")
        .group_by(_bar.c.instrument_id)
        .subquery()
    )
    query = (
        select(
            _instrument.c.symbol,
            _instrument.c.name,
            _instrument.c.asset_class,
            counts.c.n,
            counts.c.first,
            counts.c.last,
            _instrument.c.simulated,
        )
        .select_from(_instrument.outerjoin(counts, counts.c.instrument_id == _instrument.c.id))
        .order_by(_instrument.c.symbol)
    )
    with store.connect() as c:
        return [
            SeriesView(sym, name, cls, int(n or 0), first, last, bool(sim))
            for sym, name, cls, n, first, last, sim in c.execute(query)
        ]


def instrument_symbols(store: Store) -> set[str]:
    """Every stored instrument's symbol, active or not."""
    with store.connect() as c:
        return set(c.scalars(select(_instrument.c.symbol)))
