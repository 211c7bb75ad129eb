"""Replay: the same stages, day by day, over recorded feeds and price files (DESIGN: data flow).

A replay directory holds ``feeds/`` (RSS/Atom files) and ``prices/<SYMBOL>.csv`` (header-named
OHLCV). Each day runs as of that day's UTC midnight, so nothing newer than the day is read:
the bars stored are those dated before the day and news is read with ``published_at < as_of``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tapewire.context import RunContext, StageReport
from tapewire.enrich.entities import company_name
from tapewire.errors import ConfigError
from tapewire.ingest.stage import add_feed
from tapewire.market import queries as market_queries
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.market.symbols import asset_class_of, default_benchmark, known_name
from tapewire.pipeline.jobs import STAGES, run_pipeline
from tapewire.store.retry import retry_db

log = logging.getLogger(__name__)
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".json")


@dataclass(frozen=True, slots=True)
class ReplayDay:
    day: date
    reports: tuple[StageReport, ...]

    def count(self, stage: str, key: str) -> int:
        return sum(r.counts.get(key, 0) for r in self.reports if r.stage == stage)


@dataclass(slots=True)
class ReplaySource:
    feeds: list[Path] = field(default_factory=list)
    prices: dict[str, Path] = field(default_factory=dict)


def find_sources(directory: Path) -> ReplaySource:
    """The recorded feeds and price files of a replay directory.

    Raises:
        ConfigError: the directory has neither feeds nor prices.
    """
    source = ReplaySource()
    feeds_dir, prices_dir = directory / "feeds", directory / "prices"
    if feeds_dir.is_dir():
        source.feeds = sorted(p for p in feeds_dir.iterdir() if p.suffix.lower() in FEED_SUFFIXES)
    if prices_dir.is_dir():
        source.prices = {p.stem: p for p in sorted(prices_dir.glob("*.csv"))}
    if not source.feeds and not source.prices:
        raise ConfigError(f"{directory}: no feeds/*.xml or prices/*.csv to replay")
    return source


def register_sources(ctx: RunContext, source: ReplaySource) -> None:
    """Feeds and instruments of the replay (idempotent); instruments not yet known get defaults."""
    known = {i.symbol for i in market_queries.instruments(ctx.store)}
    held = known | set(source.prices)
    with ctx.store.write() as s:
        for path in source.feeds:
            add_feed(s, str(path.resolve()), now=ctx.clock.now())
        for symbol, path in source.prices.items():
            if symbol in known:
                continue  # registered before the replay (`prices load --name ...`): kept as is
            save_instrument(s, default_spec(symbol, str(path.resolve()), held))


def default_spec(symbol: str, source_url: str, held: Collection[str]) -> InstrumentSpec:
    """An instrument registered from a bare symbol and a CSV file: its name as readers know it,
    its class and its benchmark among the symbols ``held`` (market.symbols)."""
    return InstrumentSpec(
        symbol=symbol,
        name=known_name(symbol) or company_name(symbol) or symbol,
        asset_class=asset_class_of(symbol),
        benchmark_symbol=default_benchmark(symbol, held),
        provider="csvfile",
        source_url=source_url,
        trades_weekends=symbol.upper().endswith("-USD"),
    )


def run_replay(
    make_ctx: Callable[[date], RunContext],
    directory: Path,
    *,
    start: date,
    end: date,
    on_day: Callable[[ReplayDay], None] | None = None,
    run: Callable[[RunContext], list[StageReport]] | None = None,
) -> list[ReplayDay]:
    """Run every stage as of each day from ``start`` to ``end`` inclusive (``run``: how one
    day's pass runs; default in-process, ``tapewire.queue`` passes one that enqueues it)."""
    if end < start:
        raise ConfigError(f"--to {end} is before --from {start}")
    source = find_sources(directory)
    days: list[ReplayDay] = []
    day = start
    while day <= end:
        ctx = make_ctx(day)
        # idempotent, one transaction: a database restarting meanwhile is waited out
        retry_db(functools.partial(register_sources, ctx, source), what=f"replay {day}: sources")
        reports = run(ctx) if run is not None else run_pipeline(ctx, stages=STAGES)
        result = ReplayDay(day, tuple(reports))
        days.append(result)
        if on_day is not None:
            on_day(result)
        day += timedelta(days=1)
    return days
