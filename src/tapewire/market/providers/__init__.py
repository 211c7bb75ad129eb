"""Price providers: one module each, a pure parse function each, base URLs from settings."""

from __future__ import annotations

from tapewire.market.providers.base import (
    BarIn,
    Capabilities,
    ParsedBars,
    PriceProvider,
    RejectedRow,
)
from tapewire.market.providers.csvfile import CsvFileProvider, parse_csv_bars
from tapewire.market.providers.stooq import StooqProvider, parse_stooq_csv
from tapewire.market.providers.yahoo import YahooProvider, parse_yahoo_chart

__all__ = [
    "BarIn",
    "Capabilities",
    "CsvFileProvider",
    "ParsedBars",
    "PriceProvider",
    "RejectedRow",
    "StooqProvider",
    "YahooProvider",
    "parse_csv_bars",
    "parse_stooq_csv",
    "parse_yahoo_chart",
]
