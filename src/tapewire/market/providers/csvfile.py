"""CSV price files (pure parse + a provider): every layout found in the wild so far.

- a header naming the columns in any order (Stooq ``Date,Open,High,Low,Close,Volume``, Yahoo
  with ``Adj Close``, yfinance's alphabetical ``Date,Close,High,Low,Open,Volume``), ISO dates;
- newest-first exports with ``M/D/YYYY`` or ``27-Feb-26`` dates and quoted ``"6,856.54"``
  numbers, with a BOM and no-break spaces in the header; dividend and split rows are rejected;
- headerless MetaTrader history: ``YYYY-MM-DD[ HH:MM:SS]<TAB or ,>open,high,low,close,volume``.

Rows are checked (``validate_bars``): inconsistent or duplicate rows are rejected with their line
number and reason, never silently used.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from tapewire.errors import BadInputError
from tapewire.market.providers.base import (
    BarIn,
    Capabilities,
    ParsedBars,
    RejectedRow,
    looks_partial,
    validate_bars,
)

if TYPE_CHECKING:  # httpx loads with the first fetch, not with the providers (issue #16)
    from tapewire.net import HttpClient

REQUIRED = ("date", "open", "high", "low", "close")
HEADERLESS = ("date", "open", "high", "low", "close", "volume")
_DAY_MON_YY = re.compile(r"^\d{1,2}-[A-Za-z]{3}-\d{2}\b")
_DATE_START = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


def parse_day(text: str) -> date:
    """``2026-02-27``, ``2026-02-27 00:00:00``, ``2/27/2026`` (US month first), ``27-Feb-26``.

    Raises:
        ValueError: none of those.
    """
    text = text.strip()
    if "/" in text:
        month, day, year = text.split()[0].split("/")
        century = (2000 if int(year) < 69 else 1900) if len(year) == 2 else 0  # 2/27/26, as %y
        return date(century + int(year), int(month), int(day))
    if _DAY_MON_YY.match(text):
        return datetime.strptime(text[:9], "%d-%b-%y").date()  # noqa: DTZ007 (a date, no time)
    return date.fromisoformat(text[:10].replace(".", "-"))


_COMMA_DECIMAL = re.compile(r"\d,(\d{1,2}|\d{4,})$|\d\.\d{3},\d+$")  # 179,50 · 1.234,5678
_POINT_DECIMAL = re.compile(r"\d\.(\d{1,2}|\d{4,})$|\d,\d{3}\.\d+$")  # 179.50 · 6,856.54
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+$")  # 1,234: a thousands comma or a decimal comma


def decimal_mark(cells: list[str], delimiter: str) -> str:
    """The file's decimal mark, sniffed from its price cells: ``,`` or ``.``.

    A cell like ``179,50`` or ``1.234,56`` means a decimal comma; ``179.50`` or ``6,856.54`` a
    decimal point. Cells like ``1,234`` alone are read as the delimiter suggests (a decimal comma
    in a ``;``-separated file, a thousands comma otherwise).

    Raises:
        BadInputError: both marks appear (the file cannot be read without guessing).
    """
    comma = point = grouped = False
    for raw in cells:
        cell = raw.strip().replace('"', "").replace(" ", "").replace("\u00a0", "")
        comma = comma or bool(_COMMA_DECIMAL.search(cell))
        point = point or bool(_POINT_DECIMAL.search(cell))
        grouped = grouped or bool(_GROUPED.match(cell))
    if comma and point:
        raise BadInputError(
            "mixed decimal marks: some prices use a decimal comma (179,50), others a point (179.50)"
        )
    if comma or (grouped and not point and delimiter == ";"):
        return ","
    return "."


def _number(text: str, decimal: str = ".") -> float:
    cleaned = text.replace('"', "").replace("\u00a0", "").replace(" ", "").strip()
    if decimal == ",":
        return float(cleaned.replace(".", "").replace(",", "."))
    return float(cleaned.replace(",", ""))


def _layout(text: str) -> tuple[list[str], list[list[str]], int, str]:
    """(lower-case column names, data rows, the first data row's line, the delimiter) for a headed
    or headerless file. (A header may spell out exactly the headerless columns: Stooq's does.)"""
    first = next(io.StringIO(text, newline=""), "")  # any line ending: \n, \r\n or a lone \r
    delimiter = "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if rows and rows[0] and _DATE_START.match(rows[0][0]):
        return list(HEADERLESS), rows, 1, delimiter  # MetaTrader: no header
    header = [h.strip().lower() for h in (rows[0] if rows else [])]
    return header, rows[1:], 2, delimiter


def parse_csv_bars(body: bytes, *, source: str = "input") -> ParsedBars:
    """Parse a price CSV (pure), oldest first. Bad rows are rejected with a reason.

    Raises:
        BadInputError: not a price CSV (no date/open/high/low/close columns).
    """
    try:
        header, rows, first_line, delimiter = _layout(body.decode("utf-8-sig", errors="replace"))
    except csv.Error as exc:  # a field over csv's 128 KiB limit
        raise BadInputError(f"not a price CSV ({source}): {exc}") from None
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadInputError(f"not a price CSV ({source}): missing column(s) {', '.join(missing)}")
    index = {name: header.index(name) for name in (*REQUIRED, "volume") if name in header}
    prices = [
        row[i]
        for row in rows
        for i in (index["open"], index["high"], index["low"], index["close"])
        if i < len(row)
    ]
    try:
        decimal = decimal_mark(prices, delimiter)
    except BadInputError as exc:
        raise BadInputError(f"not a readable price CSV ({source}): {exc}") from None
    parsed: list[tuple[int, BarIn]] = []
    rejected: list[RejectedRow] = []
    for line, row in enumerate(rows, start=first_line):
        if not row or not any(cell.strip() for cell in row):
            continue
        extra = [cell for cell in row[len(header) :] if cell.strip()]
        if extra and first_line == 2:
            rejected.append(
                RejectedRow(line, f"{len(row)} fields for {len(header)} columns (a decimal comma?)")
            )
            continue
        try:
            parsed.append((line, _bar(row, index, decimal)))
        except (ValueError, IndexError) as exc:
            rejected.append(RejectedRow(line, f"unreadable row: {exc}"))
    result = validate_bars(parsed)
    return ParsedBars(result.bars, tuple(rejected) + result.rejected, looks_partial(result.bars))


def _bar(row: list[str], index: dict[str, int], decimal: str) -> BarIn:
    volume_cell = (
        row[index["volume"]].strip() if "volume" in index and len(row) > index["volume"] else ""
    )
    return BarIn(
        bar_date=parse_day(row[index["date"]]),
        open=_number(row[index["open"]], decimal),
        high=_number(row[index["high"]], decimal),
        low=_number(row[index["low"]], decimal),
        close=_number(row[index["close"]], decimal),
        volume=_number(volume_cell, decimal) if volume_cell else 0.0,
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
        kept = tuple(b for b in parsed.bars if start <= b.bar_date <= end)
        partial = parsed.partial_last and bool(kept) and kept[-1] == parsed.bars[-1]
        return ParsedBars(kept, parsed.rejected, partial)
