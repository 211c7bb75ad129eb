"""Price providers: one module each, a pure parse function each, base URLs from settings."""

from __future__ import annotations

from tapewire.market.providers.base import (
    BarIn,
    Capabilities,
    IntradayBarIn,
    IntradayProvider,
    ParsedBars,
    ParsedIntraday,
    PriceProvider,
    RejectedRow,
    intraday_source,
    intraday_step,
)
from tapewire.market.providers.csvfile import CsvFileProvider, parse_csv_bars
from tapewire.market.providers.stooq import StooqProvider, parse_stooq_csv
from tapewire.market.providers.yahoo import (
    YahooProvider,
    parse_yahoo_chart,
    parse_yahoo_intraday,
)

__all__ = [
    "BarIn",
    "Capabilities",
    "CsvFileProvider",
    "IntradayBarIn",
    "IntradayProvider",
    "ParsedBars",
    "ParsedIntraday",
    "PriceProvider",
    "RejectedRow",
    "StooqProvider",
    "YahooProvider",
    "intraday_source",
    "intraday_step",
    "parse_csv_bars",
    "parse_stooq_csv",
    "parse_yahoo_chart",
    "parse_yahoo_intraday",
]
