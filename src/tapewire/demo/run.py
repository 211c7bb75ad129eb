"""``tapewire demo``: the simulated world served on loopback, then the real pipeline over HTTP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tapewire.clock import Clock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.demo.server import LoopbackServer
from tapewire.demo.world import DemoWorld, build_world
from tapewire.ingest import queries as ingest_queries
from tapewire.ingest.stage import move_feed
from tapewire.market import queries as market_queries
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.net import HttpClient
from tapewire.newsroom import queries as newsroom_queries
from tapewire.pipeline.jobs import run_pipeline
from tapewire.store import Store, open_store

log = logging.getLogger(__name__)
LOOPBACK_PREFIX = "http://127.0.0.1:"


def register_world(ctx: RunContext, world: DemoWorld, base_url: str) -> None:
    """Feeds and instruments of the demo world, pointed at the loopback server (idempotent)."""
    now = ctx.clock.now()
    with ctx.store.write() as s:
        for outlet in world.outlets:
            move_feed(
                s,
                path_suffix=outlet.feed_path,
                host_prefix=LOOPBACK_PREFIX,
                new_url=base_url + outlet.feed_path,
                now=now,
            )
        for inst in world.instruments:
            save_instrument(
                s,
                InstrumentSpec(
                    symbol=inst.symbol,
                    name=inst.name,
                    asset_class=inst.asset_class,
                    currency=inst.currency,
                    benchmark_symbol=inst.benchmark,
                    aliases=inst.aliases,
                    provider="stooq",
                    provider_symbol=inst.stooq_symbol,
                    source_url=base_url,
                    trades_weekends=inst.trades_weekends,
                    simulated=True,
                ),
            )


def _counts(store: Store) -> dict[str, int]:
    return {
        "items": ingest_queries.count_items(store),
        "bars": market_queries.count_bars(store),
        "briefs": newsroom_queries.count_briefs(store),
    }


def run_demo(
    settings: Settings,
    *,
    as_of: datetime,
    clock: Clock,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Build the world, serve it, run every stage as of ``as_of``; return a summary."""
    say = progress or (lambda _msg: None)
    world = build_world(
        seed=settings.demo.seed,
        as_of=as_of,
        bar_days=settings.demo.bar_days,
        news_days=settings.demo.news_days,
    )
    store = open_store(settings.database_url(), busy_timeout_ms=settings.db.busy_timeout_ms)
    own_server = settings.http.model_copy(update={"per_host_delay_s": 0.0})  # no one to spare
    try:
        before = _counts(store)
        with LoopbackServer(world.files) as server, HttpClient(own_server) as http:
            log.debug("demo market served at %s", server.base_url)  # internal: not for users
            ctx = RunContext(store=store, settings=settings, as_of=as_of, http=http, clock=clock)
            register_world(ctx, world, server.base_url)
            reports = run_pipeline(ctx, on_stage=lambda name: say(f"stage {name}"))
        after = _counts(store)
    finally:
        store.close()
    return {
        "as_of": as_of.date().isoformat(),
        "database": settings.database_url(),
        **after,
        **{f"new_{k}": after[k] - before[k] for k in after},
        "errors": [e for r in reports for e in r.errors],
        **{
            key: sum(r.counts.get(key, 0) for r in reports if r.stage == "newsroom")
            for key in ("rejected", "rewritten")
        },
        "simulated": True,
    }


def run_demo_history(
    settings: Settings,
    *,
    as_of: datetime,
    clock: Clock,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The demo over its last ``demo.history_days`` days, each as of that day's midnight, so the
    site opens on a week of briefs, signal events and Pulse history. Idempotent day by day."""
    say = progress or (lambda _msg: None)
    days = max(1, settings.demo.history_days)
    first = as_of - timedelta(days=days - 1)
    summaries = []
    for n in range(days):
        day = first + timedelta(days=n)
        say(f"day {day:%Y-%m-%d}")
        summaries.append(run_demo(settings, as_of=day, clock=clock, progress=progress))
    last = summaries[-1]
    return {
        **last,
        "from": first.date().isoformat(),
        **{f"new_{k}": sum(x[f"new_{k}"] for x in summaries) for k in ("items", "bars", "briefs")},
        "errors": [e for x in summaries for e in x["errors"]],
        "rejected": sum(x["rejected"] for x in summaries),
        "rewritten": sum(x["rewritten"] for x in summaries),
    }
