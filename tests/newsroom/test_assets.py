"""Asset-class semantics: the class a brief is written for, its units and what a rise means."""

from __future__ import annotations

import pytest

from tapewire.newsroom import assets


@pytest.mark.parametrize(
    ("symbol", "stored", "name", "key"),
    [
        ("^VIX", "Indices", "CBOE Volatility Index", "volatility_index"),
        ("^TNX", "Indices", "^TNX", "yield"),  # a replay stores it as an index
        ("^TNX", "Rates", "US 10-Year Treasury Yield", "yield"),
        ("^GSPC", "Indices", "S&P 500", "equity_index"),
        ("SPY", "Stocks", "SPY", "etf"),  # known ETF stored as a stock by a replay
        ("HYG", "ETFs", "iShares iBoxx High Yield Corporate Bond ETF", "etf"),  # "Yield" in an ETF
        ("EURUSD=X", "Forex", "EUR/USD", "fx"),
        ("CL=F", "Commodities", "Crude Oil", "future"),
        ("BTC-USD", "Crypto", "Bitcoin", "crypto"),
        ("AAPL", "Stocks", "Apple", "stock"),
    ],
)
def test_classify_reads_the_symbol_before_the_coarse_stored_class(
    symbol: str, stored: str, name: str, key: str
) -> None:
    assert assets.classify(symbol, stored, name).key == key


def test_a_rising_vix_or_yield_is_risk_off_and_worded_as_such() -> None:
    vix, tnx = assets.VOLATILITY_INDEX, assets.YIELD
    assert vix.reads_inverted() and tnx.reads_inverted()
    assert assets.direction_phrase(vix, "Bullish") == "fear is building"
    assert "buyers" not in assets.direction_phrase(vix, "Bullish")
    assert "risk-off" in (assets.equity_read(vix, "Bullish") or "")
    assert assets.direction_phrase(tnx, "Bearish") == "yields are trending lower"
    assert (
        "relative_strength" not in vix.components and "relative_strength" in assets.STOCK.components
    )


def test_units_and_precision() -> None:
    assert assets.quote_unit("CL=F", assets.FUTURE) == "$/bbl"
    assert assets.quote_unit("GC=F", assets.FUTURE) == "$/oz"
    assert assets.quote_unit("ZZ=F", assets.FUTURE) == ""  # unknown: no unit claimed
    assert assets.price_decimals(assets.FX, 1.1791) == 4
    assert assets.price_decimals(assets.FX, 154.75) == 3  # yen quotes
    assert assets.fx_pair("EURUSD=X") == ("EUR", "USD") and assets.fx_pair("JPY=X") == (
        "USD",
        "JPY",
    )
    assert assets.CRYPTO.trades_weekends and not assets.STOCK.trades_weekends
    assert assets.YIELD.move_unit == "bp"


def test_one_rule_says_which_moves_are_written_in_basis_points() -> None:
    """The writer, the desk and the charts share it (a yield: "4.23% +6 bp")."""
    from tapewire.newsroom.assets import bp_change, in_basis_points

    assert in_basis_points("^TNX", "Indices") and in_basis_points("^FVX", "")
    assert in_basis_points("US10Y", "Rates") and in_basis_points("X", "", "10-year yield")
    assert not in_basis_points("SPY", "ETFs") and not in_basis_points("EURUSD=X", "Forex")
    assert not in_basis_points("TLT", "ETFs", "Treasury yield ETF")  # a fund, not a yield
    assert bp_change(4.23, 4.17) == pytest.approx(6.0)
