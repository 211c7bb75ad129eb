"""Real price series from ../shared/data loaded into a real store, and stages run on it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime

from tapewire.context import RunContext
from tapewire.market.providers.base import BarIn, ParsedBars
from tapewire.market.providers.csvfile import parse_csv_bars
from tapewire.market.stage import InstrumentSpec, save_bars, save_instrument
from tapewire.pipeline.jobs import STAGES, run_pipeline
from tapewire.store import Store
from tests.conftest import shared_data

# symbol -> (file under prices/, asset class, benchmark)
UNIVERSE = {
    "SPY": ("yahoo_long_to_2026-02/SPY.csv", "ETFs", "^GSPC"),
    "XLE": ("yahoo_long_to_2026-02/XLE.csv", "ETFs", "^GSPC"),
    "GC=F": ("yahoo_long_to_2026-02/GC=F.csv", "Commodities", None),
    "^GSPC": ("merged_index_series/^GSPC.csv", "Indices", None),
    "^VIX": ("merged_index_series/^VIX.csv", "Indices", None),
}
# Series other tests load by name only (not in the default universe).
EXTRA: dict[str, tuple[str, str, str | None]] = {
    "^TNX": ("yahoo_long_to_2026-02/^TNX.csv", "Rates", None),
    "EURUSD=X": ("yahoo_long_to_2026-02/EURUSD=X.csv", "Forex", None),
}
STAGE_NAMES = ("technicals", "signals", "scorecard")


def real_bars(symbol: str, start: date, end: date) -> list[BarIn]:
    body = shared_data("prices", (UNIVERSE | EXTRA)[symbol][0]).read_bytes()
    return [b for b in parse_csv_bars(body, source=symbol).bars if start <= b.bar_date <= end]


def load_universe(
    store: Store,
    start: date,
    end: date,
    *,
    corrupt_after: date | None = None,
    symbols: Sequence[str] = tuple(UNIVERSE),
) -> None:
    """Store the real bars in [start, end]; with ``corrupt_after``, every bar dated after it is
    scrambled (prices moved by a different factor per bar) before it is stored."""
    with store.write() as s:
        for n, symbol in enumerate(symbols):
            _, asset_class, bench = (UNIVERSE | EXTRA)[symbol]
            iid = save_instrument(
                s, InstrumentSpec(symbol, symbol, asset_class, benchmark_symbol=bench)
            )
            bars = real_bars(symbol, start, end)
            if corrupt_after is not None:
                bars = [
                    _scramble(b, k + n) if b.bar_date > corrupt_after else b
                    for k, b in enumerate(bars)
                ]
            save_bars(s, iid, ParsedBars(tuple(bars)), source="test")


def _scramble(bar: BarIn, k: int) -> BarIn:
    f = 0.7 + 0.6 * ((k * 7919) % 101) / 100.0  # 0.7 .. 1.3, a different factor per bar
    return replace(bar, open=bar.open * f, high=bar.high * f, low=bar.low * f, close=bar.close * f)


def run_stages(
    make_ctx: Callable[..., RunContext],
    store: Store,
    as_of: datetime,
    names: Sequence[str] = STAGE_NAMES,
) -> None:
    run_pipeline(make_ctx(store, as_of), stages=[st for st in STAGES if st[0] in names])
