"""Asset-class semantics (pure): what a rise means, when it trades, its units, which Pulse
components apply.

The stored ``asset_class`` is coarse ("Indices", "ETFs", "Stocks", "Forex", "Commodities",
"Crypto", "Rates", "Macro": ``prices load --asset-class``), so the class a brief is written for is
read from the symbol first (``^VIX`` is a volatility index, ``^TNX`` a yield, ``CL=F`` a crude
future, ``EURUSD=X`` an FX pair), then the stored class, then the name. Pulse itself is not
changed: a Bullish Pulse on the VIX still means "the VIX is trending up"; the writer words it as
what it means (fear rising, risk-off for equities) with ``direction_phrase``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Pulse components (signals.pulse.WEIGHTS) that carry a meaning for each class.
_ALL = ("news", "trend", "momentum", "relative_strength")
_NO_RS = ("news", "trend", "momentum")


@dataclass(frozen=True, slots=True)
class AssetClass:
    key: str  # equity_index | etf | stock | volatility_index | yield | fx | future | crypto
    label: str  # "equity index"
    rise: str  # what a rise means, one clause
    fall: str  # what a fall means, one clause
    risk_on_when_up: bool | None  # a rise is risk-on (True) / risk-off (False) for equities
    hours: str  # when it trades
    trades_weekends: bool
    move_unit: str  # how a daily move is written: "%", "bp" (yields)
    price_decimals: int  # decimals a level is written with
    components: tuple[str, ...]  # Pulse components that apply
    unit: str = ""  # the quote unit, "$/bbl", "points", "%" ...

    def reads_inverted(self) -> bool:
        """A rise is bad news for equity holders (VIX, yields): Pulse's direction is worded as
        what it means, not as "buyers in control"."""
        return self.risk_on_when_up is False


EQUITY_INDEX = AssetClass(
    "equity_index",
    "equity index",
    "broad buying of stocks, a risk-on tape",
    "broad selling of stocks, a risk-off tape",
    True,
    "the US cash session, 9:30 to 16:00 New York time, with futures trading nearly around the clock",
    False,
    "%",
    2,
    _ALL,
    "points",
)
ETF = AssetClass(
    "etf",
    "exchange-traded fund",
    "demand for what it holds",
    "selling of what it holds",
    None,
    "US exchange hours, 9:30 to 16:00 New York time",
    False,
    "%",
    2,
    _ALL,
    "$",
)
STOCK = AssetClass(
    "stock",
    "stock",
    "buyers paying up for the company",
    "sellers marking the company down",
    True,
    "US exchange hours, 9:30 to 16:00 New York time",
    False,
    "%",
    2,
    _ALL,
    "$",
)
VOLATILITY_INDEX = AssetClass(
    "volatility_index",
    "volatility index",
    "traders paying more for protection: fear rising, a risk-off signal for equities",
    "demand for protection fading: fear receding, supportive for equities",
    False,
    "computed during US options trading hours",
    False,
    "%",
    2,
    _NO_RS,  # no benchmark to beat: the VIX is the market's fear gauge, not an asset to outrun
    "points",
)
YIELD = AssetClass(
    "yield",
    "Treasury yield",
    "bond prices falling and financing costs rising, a headwind for rate-sensitive stocks",
    "bond prices rising and financing costs easing, a tailwind for rate-sensitive stocks",
    False,
    "set by the Treasury market, which trades nearly around the clock on weekdays",
    False,
    "bp",
    2,
    _NO_RS,
    "%",
)
FX = AssetClass(
    "fx",
    "currency pair",
    "the base currency strengthening against the quote currency",
    "the base currency weakening against the quote currency",
    None,
    "around the clock from Sunday evening to Friday evening",
    False,
    "%",
    4,
    _NO_RS,
    "",
)
FUTURE = AssetClass(
    "future",
    "futures contract",
    "buyers bidding up the contract",
    "sellers pressing the contract lower",
    None,
    "nearly around the clock on weekdays, with a daily break",
    False,
    "%",
    2,
    _NO_RS,
    "$",
)
CRYPTO = AssetClass(
    "crypto",
    "cryptocurrency",
    "demand for the coin, a gauge of speculative appetite",
    "selling of the coin, speculative appetite cooling",
    True,
    "around the clock, every day of the week",
    True,
    "%",
    2,
    _NO_RS,
    "$",
)

_VOL_SYMBOLS = frozenset({"^VIX", "^VXN", "^RVX", "^VVIX", "^VXD", "^VIX9D", "^VIX3M", "^MOVE"})
_YIELD_SYMBOLS = frozenset({"^TNX", "^FVX", "^TYX", "^IRX"})
# Futures quote units where they are known (root of the Yahoo symbol before "=F").
FUTURE_UNITS = {
    "CL": "$/bbl",
    "BZ": "$/bbl",
    "GC": "$/oz",
    "SI": "$/oz",
    "PL": "$/oz",
    "PA": "$/oz",
    "HG": "$/lb",
    "NG": "$/MMBtu",
    "ES": "index points",
    "NQ": "index points",
    "RTY": "index points",
    "YM": "index points",
}
FUTURE_NAMES = {
    "CL": "crude oil",
    "BZ": "Brent crude",
    "GC": "gold",
    "SI": "silver",
    "PL": "platinum",
    "PA": "palladium",
    "HG": "copper",
    "NG": "natural gas",
    "ES": "S&P 500 E-mini futures",
    "NQ": "Nasdaq-100 E-mini futures",
    "RTY": "Russell 2000 E-mini futures",
    "YM": "Dow E-mini futures",
    "ZN": "10-year T-note futures",
}
# Well-known ETFs stored as "Stocks" by a loader that could not tell (replay defaults).
_KNOWN_ETFS = frozenset(
    {"SPY", "QQQ", "IWM", "DIA", "GLD", "SLV", "TLT", "IEF", "SHY", "HYG", "LQD", "EEM", "EFA"}
    | {"VTI", "VOO", "USO", "UNG", "XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE"}
    | {"XLU", "XLV", "XLY", "SMH", "ARKK", "KRE", "XBI", "GDX"}
)


def classify(symbol: str, asset_class: str, name: str = "") -> AssetClass:
    """The class a brief is written for, from the symbol, then the stored class, then the name."""
    sym, stored, lname = symbol.upper(), asset_class.lower(), name.lower()
    if sym in _VOL_SYMBOLS or "volatility index" in lname:
        return VOLATILITY_INDEX
    if sym in _YIELD_SYMBOLS or stored == "rates" or ("yield" in lname and "etf" not in lname):
        return YIELD
    if sym.endswith("=X") or stored == "forex":
        return FX
    if sym.endswith("-USD") or stored == "crypto":
        return CRYPTO
    if sym.endswith("=F") or stored == "commodities":
        return FUTURE
    if stored == "etfs" or sym in _KNOWN_ETFS:
        return ETF
    if sym.startswith("^") or stored == "indices":
        return EQUITY_INDEX
    return STOCK


def in_basis_points(symbol: str, asset_class: str, name: str = "") -> bool:
    """A move of this instrument is written in basis points (a yield: "4.23% +6 bp"), not in
    percent of its quote. The one rule the writer, the desk and the charts share."""
    return classify(symbol, asset_class, name).move_unit == "bp"


def bp_change(close: float, prev: float) -> float:
    """A yield's move in basis points: a yield is quoted in percent, so 1 bp is 0.01 of it."""
    return (close - prev) * 100.0


def future_root(symbol: str) -> str:
    return symbol.upper().removesuffix("=F")


def quote_unit(symbol: str, cls: AssetClass) -> str:
    """The unit a level is quoted in: "$/bbl" for crude, "%" for a yield, "" when unknown."""
    if cls is FUTURE:
        return FUTURE_UNITS.get(future_root(symbol), "")
    return cls.unit


def fx_pair(symbol: str) -> tuple[str, str] | None:
    """(base, quote) of a Yahoo FX symbol: EURUSD=X -> (EUR, USD); JPY=X -> (USD, JPY)."""
    code = symbol.upper().removesuffix("=X")
    if len(code) == 6 and code.isalpha():
        return code[:3], code[3:]
    if len(code) == 3 and code.isalpha():
        return "USD", code
    return None


def price_decimals(cls: AssetClass, close: float) -> int:
    """Decimals a level is written with: FX to 4 (3 for yen and other large-number quotes),
    the rest to 2."""
    if cls is FX:
        return 3 if close >= 20 else 4
    return cls.price_decimals


def direction_phrase(cls: AssetClass, direction: str, symbol: str = "") -> str:
    """Pulse's direction worded as what it means for this class ("fear is building" for a
    Bullish VIX). Pulse's maths is untouched; only the words change."""
    if direction == "Neutral":
        return {
            "volatility_index": "no clear trend in fear",
            "yield": "no clear trend in rates",
            "fx": "no clear trend in the pair",
        }.get(cls.key, "no clear trend")
    up = direction == "Bullish"
    if cls is VOLATILITY_INDEX:
        return "fear is building" if up else "fear is ebbing"
    if cls is YIELD:
        return "yields are trending higher" if up else "yields are trending lower"
    if cls is FX:
        pair = fx_pair(symbol)
        if pair is not None:
            base, quote = pair
            return (
                f"the {base} is gaining on the {quote}"
                if up
                else (f"the {base} is losing ground to the {quote}")
            )
    if cls is FUTURE:
        what = FUTURE_NAMES.get(future_root(symbol))
        if what:
            return (
                f"{what} buyers have the upper hand"
                if up
                else f"{what} sellers have the upper hand"
            )
    return "buyers have the upper hand" if up else "sellers have the upper hand"


def equity_read(cls: AssetClass, direction: str) -> str | None:
    """What the instrument's trend says about equities, for classes whose rise is risk-off (or
    risk-on); None when it says nothing about stocks or when Pulse is Neutral."""
    if cls.risk_on_when_up is None or direction == "Neutral" or cls in (STOCK, EQUITY_INDEX):
        return None
    up = direction == "Bullish"
    if cls is VOLATILITY_INDEX:
        return (
            "a rising VIX is a risk-off signal, and equities tend to struggle while it climbs"
            if up
            else "a falling VIX is supportive for equities, as the market pays less for protection"
        )
    if cls is YIELD:
        return (
            "higher yields tighten financial conditions, a headwind for stocks valued on distant "
            "earnings and for bond prices"
            if up
            else "lower yields ease financial conditions, a tailwind for bond prices and for "
            "rate-sensitive stocks"
        )
    if cls is CRYPTO:
        return (
            "strength in crypto tends to go with a healthy appetite for risk"
            if up
            else "weakness in crypto tends to go with a fading appetite for risk"
        )
    return None
