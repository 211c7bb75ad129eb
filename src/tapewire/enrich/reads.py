"""The enrich stage's Core reads for the CLI, without the ORM: ``tapewire instruments suggest``
loads no ``sqlalchemy.orm`` (CLI start-up, issue #16); ``enrich.queries`` re-exports them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, column, select

from tapewire.market.reads import instrument_symbols
from tapewire.store import Store
from tapewire.store.light import light_table
from tapewire.store.types import UTCDateTime

_candidate = light_table(
    "ticker_candidate",
    column("symbol", String()),
    column("count", Integer()),
    column("first_seen_at", UTCDateTime()),
    column("last_seen_at", UTCDateTime()),
    column("example", String()),
)


@dataclass(frozen=True, slots=True)
class TickerCandidateView:
    symbol: str
    count: int
    first_seen_at: datetime
    last_seen_at: datetime
    example: str


_CANDIDATES = select(
    _candidate.c.symbol,
    _candidate.c.count,
    _candidate.c.first_seen_at,
    _candidate.c.last_seen_at,
    _candidate.c.example,
).order_by(_candidate.c.count.desc(), _candidate.c.last_seen_at.desc())


def ticker_candidates(store: Store, *, limit: int = 20) -> list[TickerCandidateView]:
    """The most-mentioned symbols the store does not have (yet), most mentions first."""
    have = instrument_symbols(store)
    with store.connect() as c:
        views = [TickerCandidateView(*tuple(row)) for row in c.execute(_CANDIDATES)]
    return [v for v in views if v.symbol not in have][:limit]
