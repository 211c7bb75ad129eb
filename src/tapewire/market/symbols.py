"""What a bare symbol is, when nobody said (pure): its name as readers know it, its asset class and
the benchmark its relative strength and excess returns are measured against.

`replay` over a folder of ``<SYMBOL>.csv`` files and `prices load` without ``--name`` used to
register ``GC=F`` as a stock named "GC=F" and ``^GSPC`` as an index named "^GSPC", with no
benchmark: briefs said "Large-cap index (^GSPC)", the site filed gold under Stocks, Pulse had no
relative-strength component for any stock and the scorecard's "excess" return was the raw one.
The map below covers the symbols a markets desk quotes (Yahoo spelling, as ``../shared/data``
and the providers use it); anything else falls back to the suffix rules (``^`` an index, ``=X``
an FX pair, ``=F`` a future, ``-USD`` a coin) and, for a listed company, the caller's name table
(the S&P 500 names in ``enrich``'s alias table).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Known:
    name: str
    asset_class: str  # Stocks | Indices | ETFs | Crypto | Forex | Commodities | Rates
    equity: bool = False  # an equity fund or index: measured against the equity benchmark


def _etf(name: str, equity: bool = True) -> Known:
    return Known(name, "ETFs", equity)


KNOWN: dict[str, Known] = {
    # equity indices
    "^GSPC": Known("S&P 500", "Indices", True),
    "^DJI": Known("Dow Jones Industrial Average", "Indices", True),
    "^IXIC": Known("Nasdaq Composite", "Indices", True),
    "^NDX": Known("Nasdaq-100", "Indices", True),
    "^RUT": Known("Russell 2000", "Indices", True),
    "^FTSE": Known("FTSE 100", "Indices"),
    "^GDAXI": Known("DAX", "Indices"),
    "^STOXX50E": Known("Euro Stoxx 50", "Indices"),
    "^N225": Known("Nikkei 225", "Indices"),
    "^HSI": Known("Hang Seng", "Indices"),
    "^VIX": Known("Cboe Volatility Index", "Indices"),
    # yields (Yahoo quotes them in percent)
    "^TNX": Known("US 10-year Treasury yield", "Rates"),
    "^FVX": Known("US 5-year Treasury yield", "Rates"),
    "^TYX": Known("US 30-year Treasury yield", "Rates"),
    "^IRX": Known("US 13-week Treasury bill yield", "Rates"),
    # futures: named in the singular, as a desk says "gold rallies" (the symbol says it is a
    # future; newsroom.assets.FUTURE_NAMES has the same names in the plural). Equity-index futures
    # are filed with the indices they track, not under Commodities (the site's category chip and
    # the desk's grouping read this class; the writer reads "=F" as a future first).
    "ES=F": Known("S&P 500 E-mini future", "Indices"),
    "NQ=F": Known("Nasdaq-100 E-mini future", "Indices"),
    "YM=F": Known("Dow E-mini future", "Indices"),
    "RTY=F": Known("Russell 2000 E-mini future", "Indices"),
    "ZN=F": Known("10-year T-note future", "Commodities"),
    "CL=F": Known("WTI crude oil", "Commodities"),
    "BZ=F": Known("Brent crude oil", "Commodities"),
    "NG=F": Known("Natural gas", "Commodities"),
    "GC=F": Known("Gold", "Commodities"),
    "SI=F": Known("Silver", "Commodities"),
    "HG=F": Known("Copper", "Commodities"),
    # currencies
    "DX-Y.NYB": Known("US Dollar Index", "Forex"),
    "EURUSD=X": Known("EUR/USD", "Forex"),
    "GBPUSD=X": Known("GBP/USD", "Forex"),
    "JPY=X": Known("USD/JPY", "Forex"),
    "AUDUSD=X": Known("AUD/USD", "Forex"),
    "CNY=X": Known("USD/CNY", "Forex"),
    # crypto
    "BTC-USD": Known("Bitcoin", "Crypto"),
    "ETH-USD": Known("Ether", "Crypto"),
    # funds
    "SPY": _etf("SPDR S&P 500 ETF"),
    "VOO": _etf("Vanguard S&P 500 ETF"),
    "QQQ": _etf("Invesco QQQ Trust (Nasdaq-100)"),
    "DIA": _etf("SPDR Dow Jones Industrial Average ETF"),
    "IWM": _etf("iShares Russell 2000 ETF"),
    "XLB": _etf("Materials Select Sector SPDR"),
    "XLC": _etf("Communication Services Select Sector SPDR"),
    "XLE": _etf("Energy Select Sector SPDR"),
    "XLF": _etf("Financial Select Sector SPDR"),
    "XLI": _etf("Industrial Select Sector SPDR"),
    "XLK": _etf("Technology Select Sector SPDR"),
    "XLP": _etf("Consumer Staples Select Sector SPDR"),
    "XLRE": _etf("Real Estate Select Sector SPDR"),
    "XLU": _etf("Utilities Select Sector SPDR"),
    "XLV": _etf("Health Care Select Sector SPDR"),
    "XLY": _etf("Consumer Discretionary Select Sector SPDR"),
    "SMH": _etf("VanEck Semiconductor ETF"),
    "GLD": _etf("SPDR Gold Shares", equity=False),
    "SLV": _etf("iShares Silver Trust", equity=False),
    "USO": _etf("United States Oil Fund", equity=False),
    "TLT": _etf("iShares 20+ Year Treasury Bond ETF", equity=False),
    "IEF": _etf("iShares 7-10 Year Treasury Bond ETF", equity=False),
    "HYG": _etf("iShares iBoxx High Yield Corporate Bond ETF", equity=False),
    "LQD": _etf("iShares iBoxx Investment Grade Corporate Bond ETF", equity=False),
}
EQUITY_BENCHMARKS = ("^GSPC", "SPY")  # the first of these the store holds


def asset_class_of(symbol: str) -> str:
    """The class a symbol belongs to: the map, then its suffix; a plain ticker is a stock."""
    s = symbol.upper()
    if s in KNOWN:
        return KNOWN[s].asset_class
    if s.startswith("^"):
        return "Indices"
    if s.endswith("-USD"):
        return "Crypto"
    if s.endswith("=X"):
        return "Forex"
    if s.endswith("=F"):
        return "Commodities"
    return "Stocks"


def known_name(symbol: str) -> str | None:
    """The name a desk quotes for a well-known symbol ("S&P 500" for ^GSPC), else None."""
    known = KNOWN.get(symbol.upper())
    return known.name if known else None


def default_benchmark(symbol: str, held: Collection[str]) -> str | None:
    """The equity benchmark for a stock or an equity fund/index: ^GSPC when the store holds it,
    else SPY; None for the benchmarks themselves, rates, FX, commodities, coins and bond/gold
    funds (a relative strength against the S&P 500 says nothing about them)."""
    s = symbol.upper()
    known = KNOWN.get(s)
    if s in EQUITY_BENCHMARKS or (known is not None and not known.equity):
        return None
    if known is None and asset_class_of(s) != "Stocks":
        return None
    for bench in EQUITY_BENCHMARKS:
        if bench in held and bench != s:
            return bench
    return None
