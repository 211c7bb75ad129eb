"""CSV price files with a header naming the columns (Stooq/Yahoo orders, any column order)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import ClassVar

from tapewire.errors import BadInputError
from tapewire.market.providers.base import (
    BarIn,
    Capabilities,
    ParsedBars,
    RejectedRow,
    validate_bars,
)
from tapewire.net import HttpClient

REQUIRED = ("date", "open", "high", "low", "close")


def parse_csv_bars(body: bytes, *, source: str = "input") -> ParsedBars:
    """Parse a headed OHLC(V) CSV (pure). Bad rows are rejected with a reason.

    Raises:
        BadInputError: not a price CSV (no date/open/high/low/close header).
    """
    text = body.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadInputError(f"not a price CSV ({source}): missing column(s) {', '.join(missing)}")
    index = {name: header.index(name) for name in (*REQUIRED, "volume") if name in header}
    parsed: list[tuple[int, BarIn]] = []
    rejected: list[RejectedRow] = []
    for line, row in enumerate(reader, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        try:
            parsed.append((line, _bar(row, index)))
        except (ValueError, IndexError) as exc:
            rejected.append(RejectedRow(line, f"unreadable row: {exc}"))
    result = validate_bars(parsed)
    return ParsedBars(result.bars, tuple(rejected) + result.rejected)


def _bar(row: list[str], index: dict[str, int]) -> BarIn:
    def num(name: str) -> float:
        return float(row[index[name]].replace(",", "").strip())

    volume = num("volume") if "volume" in index and row[index["volume"]].strip() else 0.0
    return BarIn(
        bar_date=date.fromisoformat(row[index["date"]].strip()[:10]),
        open=num("open"),
        high=num("high"),
        low=num("low"),
        close=num("close"),
        volume=volume,
    )


class CsvFileProvider:
    """Bars from a CSV file path or URL (the SOURCE of ``tapewire prices load``)."""

    name: ClassVar[str] = "csvfile"
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(self, http: HttpClient, *, location: str) -> None:
        self._http, self._location = http, location

    def fetch_bars(self, symbol: str, *, start: date, end: date) -> ParsedBars:
        body = self._http.fetch(self._location).body
        parsed = parse_csv_bars(body, source=self._location)
        return ParsedBars(
            tuple(b for b in parsed.bars if start <= b.bar_date <= end), parsed.rejected
        )
