"""Daily and intraday OHLCV from Yahoo-style chart JSON over HTTP (``/v8/finance/chart/SYMBOL``).

Intraday answers (``interval=60m|30m|15m|5m|1m``) carry bar starts as UTC timestamps; the newest
bar is still forming until its end has passed both ``meta.regularMarketTime`` (when the answer
was made, at the latest trade) and the fetch time. The session's last bar ends at the session's
end (``meta.currentTradingPeriod.regular.end``: 15:30-16:00 for New York's 60m bars).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from tapewire.errors import BadInputError
from tapewire.market.providers.base import (
    BarIn,
    Capabilities,
    IntradayBarIn,
    ParsedBars,
    ParsedIntraday,
    RejectedRow,
    intraday_step,
    validate_bars,
    validate_intraday,
)

if TYPE_CHECKING:  # httpx loads with the first fetch, not with the providers (issue #16)
    from tapewire.net import HttpClient

OHLC = ("open", "high", "low", "close")
# How far back Yahoo serves each interval (1m: 7 days a request; 5m-30m: 60 days; 60m: 730 days),
# a day short of each limit so that a window never straddles it.
YAHOO_INTRADAY_DAYS = (("1m", 6), ("5m", 59), ("15m", 59), ("30m", 59), ("60m", 729))
_MALFORMED = (AttributeError, IndexError, KeyError, TypeError, ValueError, OverflowError)


def parse_yahoo_chart(body: bytes, *, symbol: str) -> ParsedBars:
    """Parse a chart answer (pure). Bars are dated in the exchange's time zone (``gmtoffset``);
    rows with missing values are rejected with their index.

    Raises:
        BadInputError: not chart JSON, or Yahoo's own error object.
    """
    chart = _chart(body, symbol)
    try:
        return _chart_bars(chart)
    except _MALFORMED as exc:
        raise BadInputError(f"malformed Yahoo chart JSON for {symbol}: {exc!r}") from None


def parse_yahoo_intraday(
    body: bytes, *, symbol: str, interval: str, fetched_at: datetime | None = None
) -> ParsedIntraday:
    """Parse an intraday chart answer (pure): complete bars by start time (UTC), oldest first.

    An interval with no trade (every value null) is a gap, not an error; a row with some values
    null, or inconsistent, is rejected with its index. Bars still forming when the answer was
    made (see the module docstring) are counted and kept out.

    Raises:
        BadInputError: not chart JSON, or Yahoo's own error object.
        ConfigError: ``interval`` is not an intraday interval.
    """
    step = intraday_step(interval)
    chart = _chart(body, symbol)
    try:
        return _intraday_bars(chart, step, fetched_at)
    except _MALFORMED as exc:
        raise BadInputError(f"malformed Yahoo chart JSON for {symbol}: {exc!r}") from None


def _chart(body: bytes, symbol: str) -> Any:
    try:
        doc: Any = json.loads(body)
        chart = doc["chart"]
    except (ValueError, KeyError, TypeError):
        raise BadInputError(f"not Yahoo chart JSON for {symbol}") from None
    if isinstance(chart, dict) and chart.get("error"):
        error = chart["error"]
        description = error.get("description") if isinstance(error, dict) else None
        raise BadInputError(f"Yahoo chart error for {symbol}: {description or error}")
    return chart


def _chart_bars(chart: Any) -> ParsedBars:
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


def _intraday_bars(chart: Any, step: timedelta, fetched_at: datetime | None) -> ParsedIntraday:
    result = (chart.get("result") or [None])[0]
    if not result or "timestamp" not in result:
        return ParsedIntraday(())
    quote_ = result["indicators"]["quote"][0]
    rows: list[tuple[int, IntradayBarIn]] = []
    rejected: list[RejectedRow] = []
    gaps = 0
    for i, ts in enumerate(result["timestamp"]):
        values = [quote_.get(k, [None] * (i + 1))[i] for k in OHLC]
        if all(v is None for v in values):
            gaps += 1
            continue
        if any(v is None for v in values):
            rejected.append(RejectedRow(i, "missing price in the chart arrays"))
            continue
        volume = (quote_.get("volume") or [None] * (i + 1))[i] or 0
        o, h, lo, c = (float(v) for v in values)
        at = datetime.fromtimestamp(int(ts), tz=UTC)
        rows.append((i, IntradayBarIn(at, o, h, lo, c, float(volume))))
    checked = validate_intraday(rows)
    complete = _complete_by(result.get("meta") or {}, step, fetched_at)
    bars = tuple(b for b in checked.bars if complete(b.bar_at))
    rejected_all = tuple(rejected) + checked.rejected
    return ParsedIntraday(bars, rejected_all, len(checked.bars) - len(bars), gaps)


def _complete_by(
    meta: Any, step: timedelta, fetched_at: datetime | None
) -> Callable[[datetime], bool]:
    """A test of a bar start: had that bar ended when the answer was made and fetched?"""
    seen = [fetched_at] if fetched_at is not None else []
    if meta.get("regularMarketTime") is not None:
        seen.append(datetime.fromtimestamp(int(meta["regularMarketTime"]), tz=UTC))
    regular = (meta.get("currentTradingPeriod") or {}).get("regular") or {}
    session_end = (
        datetime.fromtimestamp(int(regular["end"]), tz=UTC) if regular.get("end") else None
    )

    def complete(bar_at: datetime) -> bool:
        end = bar_at + step
        if session_end is not None and bar_at < session_end < end:
            end = session_end  # the session's last bar is cut short by the close
        return all(end <= t for t in seen)

    return complete


def yahoo_intraday_url(
    base_url: str, symbol: str, *, interval: str, start: datetime, end: datetime
) -> str:
    return (
        f"{base_url.rstrip('/')}/v8/finance/chart/{quote(symbol, safe='^=-.')}"
        f"?period1={int(start.timestamp())}&period2={int(end.timestamp())}"
        f"&interval={interval}&includePrePost=false&events=history"
    )


def yahoo_url(base_url: str, symbol: str, *, start: date, end: date) -> str:
    period1 = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())
    period2 = int(datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp()) + 86_400
    return (
        f"{base_url.rstrip('/')}/v8/finance/chart/{quote(symbol, safe='^=-.')}"
        f"?period1={period1}&period2={period2}&interval=1d&events=history"
    )


class YahooProvider:
    """Daily and intraday bars from a Yahoo-style chart endpoint; the base URL is a setting."""

    name: ClassVar[str] = "yahoo"
    capabilities: ClassVar[Capabilities] = Capabilities(
        intervals=("1d", *(name for name, _days in YAHOO_INTRADAY_DAYS)),
        lookback_days=YAHOO_INTRADAY_DAYS,
    )

    def __init__(self, http: HttpClient, *, base_url: str) -> None:
        self._http, self._base_url = http, base_url

    def fetch_bars(self, symbol: str, *, start: date, end: date) -> ParsedBars:
        body = self._http.fetch(yahoo_url(self._base_url, symbol, start=start, end=end)).body
        parsed = parse_yahoo_chart(body, symbol=symbol)
        kept = tuple(b for b in parsed.bars if start <= b.bar_date <= end)
        return ParsedBars(kept, parsed.rejected)

    def fetch_intraday(
        self, symbol: str, *, interval: str, start: datetime, end: datetime
    ) -> ParsedIntraday:
        """Bars starting in [start, end) and ended by ``end`` (as_of: never after the fetch)."""
        step = intraday_step(interval)
        url = yahoo_intraday_url(self._base_url, symbol, interval=interval, start=start, end=end)
        parsed = parse_yahoo_intraday(
            self._http.fetch(url).body, symbol=symbol, interval=interval, fetched_at=end
        )
        kept = tuple(b for b in parsed.bars if start <= b.bar_at and b.bar_at + step <= end)
        return ParsedIntraday(kept, parsed.rejected, parsed.forming, parsed.gaps)
