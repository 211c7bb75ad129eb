"""Daily OHLCV from Stooq-style CSV over HTTP (``/q/d/l/?s=SYMBOL&i=d``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote

from tapewire.errors import BadInputError
from tapewire.market.providers.base import Capabilities, ParsedBars
from tapewire.market.providers.csvfile import parse_csv_bars

if TYPE_CHECKING:  # httpx loads with the first fetch, not with the providers (issue #16)
    from tapewire.net import HttpClient


def parse_stooq_csv(body: bytes, *, symbol: str) -> ParsedBars:
    """Stooq answers ``No data`` (HTTP 200) for unknown symbols; that is bad input, not zero bars."""
    if body.strip().lower().startswith(b"no data"):
        raise BadInputError(f"stooq has no data for {symbol}")
    return parse_csv_bars(body, source=f"stooq:{symbol}")


def stooq_url(base_url: str, symbol: str, *, start: date, end: date) -> str:
    return (
        f"{base_url.rstrip('/')}/q/d/l/?s={quote(symbol.lower(), safe='^.-=')}&i=d"
        f"&d1={start:%Y%m%d}&d2={end:%Y%m%d}"
    )


class StooqProvider:
    """Daily bars from a Stooq-style endpoint; the base URL is a setting."""

    name: ClassVar[str] = "stooq"
    capabilities: ClassVar[Capabilities] = Capabilities(intervals=("1d",))

    def __init__(self, http: HttpClient, *, base_url: str) -> None:
        self._http, self._base_url = http, base_url

    def fetch_bars(self, symbol: str, *, start: date, end: date) -> ParsedBars:
        body = self._http.fetch(stooq_url(self._base_url, symbol, start=start, end=end)).body
        parsed = parse_stooq_csv(body, symbol=symbol)
        kept = tuple(b for b in parsed.bars if start <= b.bar_date <= end)
        partial = parsed.partial_last and bool(kept) and kept[-1] == parsed.bars[-1]
        return ParsedBars(kept, parsed.rejected, partial)
