"""Daily OHLCV from Yahoo-style chart JSON over HTTP (``/v8/finance/chart/SYMBOL``)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

from tapewire.errors import BadInputError
from tapewire.market.providers.base import (
    BarIn,
    Capabilities,
    ParsedBars,
    RejectedRow,
    validate_bars,
)
from tapewire.net import HttpClient


def parse_yahoo_chart(body: bytes, *, symbol: str) -> ParsedBars:
    """Parse a chart answer (pure). Bars are dated in the exchange's time zone (``gmtoffset``);
    rows with missing values are rejected with their index.

    Raises:
        BadInputError: not chart JSON, or Yahoo's own error object.
    """
    try:
        doc: Any = json.loads(body)
        chart = doc["chart"]
    except (ValueError, KeyError, TypeError):
        raise BadInputError(f"not Yahoo chart JSON for {symbol}") from None
    try:
        return _chart_bars(chart, symbol)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise BadInputError(f"malformed Yahoo chart JSON for {symbol}: {exc!r}") from None


def _chart_bars(chart: Any, symbol: str) -> ParsedBars:
    if chart.get("error"):
        error = chart["error"]
        raise BadInputError(f"Yahoo chart error for {symbol}: {error.get('description') or error}")
    result = (chart.get("result") or [None])[0]
    if not result or "timestamp" not in result:
        return ParsedBars(())
    offset = timedelta(seconds=int(result.get("meta", {}).get("gmtoffset", 0)))
    quote_ = result["indicators"]["quote"][0]
    rows: list[tuple[int, BarIn]] = []
    rejected: list[RejectedRow] = []
    for i, ts in enumerate(result["timestamp"]):
        values = [quote_.get(k, [None] * (i + 1))[i] for k in ("open", "high", "low", "close")]
        if any(v is None for v in values):
            rejected.append(RejectedRow(i, "missing price in the chart arrays"))
            continue
        day = (datetime.fromtimestamp(int(ts), tz=UTC) + offset).date()
        volume = (quote_.get("volume") or [None] * (i + 1))[i] or 0
        o, h, lo, c = (float(v) for v in values)
        rows.append((i, BarIn(day, o, h, lo, c, float(volume))))
    result_bars = validate_bars(rows)
    return ParsedBars(result_bars.bars, tuple(rejected) + result_bars.rejected)


def yahoo_url(base_url: str, symbol: str, *, start: date, end: date) -> str:
    period1 = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())
    period2 = int(datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp()) + 86_400
    return (
        f"{base_url.rstrip('/')}/v8/finance/chart/{quote(symbol, safe='^=-.')}"
        f"?period1={period1}&period2={period2}&interval=1d&events=history"
    )


class YahooProvider:
    """Daily bars from a Yahoo-style chart endpoint; the base URL is a setting."""

    name: ClassVar[str] = "yahoo"
    capabilities: ClassVar[Capabilities] = Capabilities(intervals=("1d",))

    def __init__(self, http: HttpClient, *, base_url: str) -> None:
        self._http, self._base_url = http, base_url

    def fetch_bars(self, symbol: str, *, start: date, end: date) -> ParsedBars:
        body = self._http.fetch(yahoo_url(self._base_url, symbol, start=start, end=end)).body
        parsed = parse_yahoo_chart(body, symbol=symbol)
        kept = tuple(b for b in parsed.bars if start <= b.bar_date <= end)
        return ParsedBars(kept, parsed.rejected)
