"""Pages that do not grow with the store (#16): the work SQLite does for each page, counted in
virtual-machine steps (``sqlite3`` progress handler) and statements, at 1,000 and at 10,000
briefs; the indexes kept at publish time match the briefs; list queries page like a scan would.

The stores are the demo's briefs (real writer, real bars) grown with ``demo.grow.grow_briefs``.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from tapewire.clock import FixedClock
from tapewire.config import Settings, load_settings
from tapewire.demo.grow import grow_briefs
from tapewire.demo.run import run_demo
from tapewire.newsroom import queries
from tapewire.newsroom.brief_index import BriefInstrument, BriefSource, BriefTag, TagCount, url_key
from tapewire.newsroom.models import Brief
from tapewire.newsroom.queries import BriefFilter
from tapewire.store import Store, open_store
from tapewire.web.app import create_app
from tapewire.web.chart import price_svg, stored_chart
from tests.conftest import DEMO_AS_OF, PG_ENV

SMALL, LARGE = 1_000, 10_000
GROWTH_ALLOWED = 1.25  # 10x the briefs may cost at most 25% more work per page
STEP = 10  # VM instructions per progress-handler call


@dataclass
class Meter:
    """Counts SQLite VM steps and statements on every connection of a store's engine."""

    steps: int = 0
    statements: int = 0
    on: bool = False
    seen: dict[int, Any] = field(default_factory=dict)  # every statement object run so far
    built: list[str] = field(default_factory=list)  # run while on, and never run before
    threads: set[int] = field(default_factory=set)  # the threads that ran statements while on

    def tick(self) -> int:
        if self.on:
            self.steps += STEP
        return 0

    def attach(self, store: Store) -> None:
        store.engine.dispose()  # new connections get the handler

        @event.listens_for(store.engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.set_progress_handler(self.tick, STEP)

        @event.listens_for(store.engine, "before_cursor_execute")
        def _statement(*_args: Any) -> None:
            if self.on:
                self.statements += 1
                self.threads.add(threading.get_ident())

        @event.listens_for(store.engine, "before_execute")
        def _clause(_conn: Any, clause: Any, *_args: Any) -> None:
            if isinstance(clause, str):
                return  # BEGIN and other driver SQL
            if self.on and id(clause) not in self.seen:
                self.built.append(str(clause)[:120])
            self.seen[id(clause)] = clause  # kept alive: its id is never reused


@dataclass
class World:
    settings: Settings
    store: Store
    meter: Meter
    pages: dict[str, str]
    cost: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)
    built: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    threads: dict[int, dict[str, set[int]]] = field(default_factory=dict)


def _settings(tmp: Path) -> Settings:
    for key in list(os.environ):
        if key.startswith("TAPEWIRE_") and key != PG_ENV:
            del os.environ[key]  # restored by the fixture
    return load_settings(
        data_dir=tmp / "data",
        db={"url": str(tmp / "tapewire.db")},
        http={"allow_private_urls": True},
        web={"page_cache_size": 0},
    )


async def _measure(world: World, app: Any, size: int) -> dict[str, tuple[int, int]]:
    out = {}
    world.built[size] = {}
    world.threads[size] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as client:
        for name, path in world.pages.items():
            await client.get(path)  # warm: templates compiled, statements cached
            world.meter.steps = world.meter.statements = 0
            world.meter.built = []
            world.meter.threads = set()
            world.meter.on = True
            response = await client.get(path)
            world.meter.on = False
            assert response.status_code == 200, (path, response.text[:300])
            out[name] = (world.meter.steps, world.meter.statements)
            world.built[size][name] = world.meter.built
            world.threads[size][name] = world.meter.threads
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    saved = dict(os.environ)
    tmp = tmp_path_factory.mktemp("page-cost")
    try:
        settings = _settings(tmp)
        run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
        store = open_store(settings.database_url())
        meter = Meter()
        meter.attach(store)
        with store.read() as s:
            newest = s.scalars(
                select(Brief)
                .where(Brief.primary_tag != "market")  # about one instrument
                .order_by(Brief.as_of.desc(), Brief.id.desc())
            ).first()
            tag = s.scalars(select(TagCount.tag).order_by(TagCount.n.desc())).first()
        assert newest is not None and newest.instruments and tag
        symbol = newest.instruments[0]
        pages = {
            "home": "/",
            "brief page": f"/briefs/{newest.slug}",
            "instrument page": f"/instruments/{symbol}",
            "tag page": f"/tags/{tag}",
            "/api/briefs": "/api/briefs",
            "/api/briefs?symbol": f"/api/briefs?symbol={symbol}",
            "Atom, all": "/feeds/briefs.atom",
            "Atom, tag": f"/feeds/tags/{tag}.atom",
            "Atom, instrument": f"/feeds/instruments/{symbol}.atom",
            "/healthz": "/healthz",
        }
        w = World(settings, store, meter, pages)
        app = create_app(settings, store=store)
        for size in (SMALL, LARGE):
            grow_briefs(store, size)
            w.cost[size] = asyncio.run(_measure(w, app, size))
        yield w
        store.close()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "brief page",
        "instrument page",
        "tag page",
        "/api/briefs",
        "/api/briefs?symbol",
        "Atom, all",
        "Atom, tag",
        "Atom, instrument",
        "/healthz",
    ],
)
def test_a_page_costs_the_same_at_1000_and_10000_briefs(world: World, page: str) -> None:
    small_steps, small_statements = world.cost[SMALL][page]
    large_steps, large_statements = world.cost[LARGE][page]
    assert small_steps > 0
    assert large_statements == small_statements, world.cost
    print(f"{page}: {small_steps:,} / {large_steps:,} VM steps, {small_statements} statements")
    assert large_steps <= GROWTH_ALLOWED * small_steps, (
        f"{page}: {small_steps:,} VM steps at {SMALL:,} briefs, {large_steps:,} at {LARGE:,}"
    )


@pytest.mark.parametrize(
    "page",
    ["home", "brief page", "instrument page", "/api/briefs", "/api/briefs?symbol", "/healthz"],
)
def test_a_page_runs_statements_built_before(world: World, page: str) -> None:
    """A warm page runs only statement objects it ran before (built once, values bound): at
    10,000 briefs a select built per request cost more CPU than SQLite spent running it
    (building, cache-keying and adapting the cached result columns to the new object: the
    instrument lookup 0.27 ms against 0.03 ms prebuilt, #16)."""
    for size in (SMALL, LARGE):
        assert world.built[size][page] == [], (size, world.built[size][page])


@pytest.mark.parametrize(
    "page",
    ["home", "brief page", "instrument page", "/api/briefs", "/api/briefs?symbol", "/healthz"],
)
def test_a_page_on_sqlite_runs_on_the_event_loop(world: World, page: str) -> None:
    """On SQLite a cold page's queries run on the event loop's thread, not in FastAPI's thread
    pool: the hop cost 0.3-0.7 ms of server CPU per request, more than the page's SQLite reads
    (``web.deps.one_connection``, #16). The client here runs the loop on the main thread."""
    assert world.store.is_sqlite
    for size in (SMALL, LARGE):
        assert world.threads[size][page] == {threading.main_thread().ident}, (size, page)


def test_the_indexes_match_every_brief(world: World) -> None:
    """Written at publish (the demo's briefs) and in bulk (grown): one row per brief and key."""
    tags: set[tuple[int, str]] = set()
    symbols: set[tuple[int, str]] = set()
    sources: set[tuple[int, str]] = set()
    counts: Counter[str] = Counter()
    with world.store.read() as s:
        n = 0
        for b in s.scalars(select(Brief)):
            n += 1
            tags |= {(b.id, t) for t in b.tags}
            counts.update(set(b.tags))
            symbols |= {(b.id, x) for x in b.instruments}
            sources |= {(b.id, url_key(src["url"])) for src in b.sources if src.get("url")}
        assert n == LARGE
        assert _pairs(s, BriefTag.brief_id, BriefTag.tag) == tags
        assert _pairs(s, BriefInstrument.brief_id, BriefInstrument.symbol) == symbols
        assert _pairs(s, BriefSource.brief_id, BriefSource.url_key) == sources
        assert dict(_pairs(s, TagCount.tag, TagCount.n)) == dict(counts)
    assert sources, "the demo's briefs cite sources"


def _pairs(s: Any, *columns: Any) -> set[tuple[Any, ...]]:
    return {tuple(row) for row in s.execute(select(*columns))}


def _all_pages(store: Store, flt: BriefFilter, limit: int) -> list[str]:
    slugs: list[str] = []
    cursor = None
    while True:
        views, cursor = queries.search_briefs(store, flt, limit=limit, cursor=cursor)
        slugs += [v.slug for v in views]
        if cursor is None:
            return slugs


def _brute(rows: list[Brief], flt: BriefFilter) -> list[str]:
    def keep(b: Brief) -> bool:
        return all(
            (
                flt.category is None or b.category.lower() == flt.category.lower(),
                flt.tag is None or flt.tag in b.tags,
                flt.direction is None or b.direction.lower() == flt.direction.lower(),
                flt.min_threat is None or (b.threat or 0) >= flt.min_threat,
                flt.symbol is None or flt.symbol in b.instruments,
                not flt.q or queries._matches_text(b, flt.q),
            )
        )

    ordered = sorted(rows, key=lambda b: (b.as_of, b.id), reverse=True)
    return [b.slug for b in ordered if keep(b)]


def test_keyset_pages_walk_exactly_the_matching_briefs(world: World) -> None:
    """Every filter, paged by cursor, yields the same briefs in the same order as a full scan."""
    with world.store.read() as s:
        rows = list(s.scalars(select(Brief)))
    sample = next(b for b in rows if b.instruments)
    symbol, tag = sample.instruments[0], sample.tags[-1]
    filters = [
        BriefFilter(),
        BriefFilter(tag=tag),
        BriefFilter(symbol=symbol),
        BriefFilter(tag=tag, symbol=symbol),
        BriefFilter(category=sample.category.upper(), direction=sample.direction.lower()),
        BriefFilter(min_threat=2),
        BriefFilter(q=sample.headline.split()[0]),
        BriefFilter(tag="no-such-tag"),
    ]
    for flt in filters:
        expected = _brute(rows, flt)
        assert _all_pages(world.store, flt, limit=97) == expected, flt
    assert len(_brute(rows, BriefFilter(tag=tag))) > 97, "the tag filter spans pages"


def test_related_briefs_rank_shared_instruments_first(world: World) -> None:
    with world.store.read() as s:
        brief = s.scalars(select(Brief).where(Brief.primary_tag != "market")).first()
    assert brief is not None
    view = queries.get_brief(world.store, brief.slug)
    assert view is not None
    related = queries.related_briefs(world.store, view)
    assert len(related) == 4
    assert all(r.id != view.id for r in related)
    assert all(set(r.instruments) & set(view.instruments) for r in related), related
    assert not any(
        set(r.instruments) == set(view.instruments) and r.as_of == view.as_of for r in related
    )
    assert [r.as_of for r in related] == sorted((r.as_of for r in related), reverse=True)


def test_migration_backfills_the_indexes(settings: Settings) -> None:
    """Down to ``perf`` (tables gone) and up again: the backfill rebuilds what publish wrote."""
    run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(settings.database_url())
    try:
        before = _index_rows(store)
        assert before["tag_count"]
        _downgrade(store, "perf")
        assert "brief_tag" not in store.table_names()
        store.upgrade()
        assert _index_rows(store) == before
    finally:
        store.close()


def _downgrade(store: Store, revision: str) -> None:
    from alembic import command

    from tapewire.store.core import alembic_config

    with store.engine.begin() as connection:
        cfg = alembic_config(store.url)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def _index_rows(store: Store) -> dict[str, set[tuple[Any, ...]]]:
    with store.read() as s:
        return {
            "brief_tag": _pairs(s, BriefTag.brief_id, BriefTag.tag, BriefTag.as_of),
            "brief_instrument": _pairs(s, BriefInstrument.brief_id, BriefInstrument.symbol),
            "brief_source": _pairs(s, BriefSource.brief_id, BriefSource.url_key),
            "tag_count": _pairs(s, TagCount.tag, TagCount.n),
        }


def test_pages_and_indexes_on_postgres(settings: Settings, postgres_url: str) -> None:
    """The same queries on PostgreSQL: publish-time indexes, related briefs, every page."""
    pg = settings.model_copy(update={"db": settings.db.model_copy(update={"url": postgres_url})})
    run_demo(pg, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(postgres_url)
    try:
        with store.read() as s:
            briefs = list(s.scalars(select(Brief)))
            tags = {(b.id, t) for b in briefs for t in b.tags}
            assert _pairs(s, BriefTag.brief_id, BriefTag.tag) == tags
            brief = next(b for b in briefs if b.instruments and b.sources)
        view = queries.get_brief(store, brief.slug)
        assert view is not None and view.facts and view.verification
        assert len(queries.related_briefs(store, view)) == min(4, len(briefs) - 1)
        assert queries.market_teaser(store) is not None
        pages = [
            "/",
            f"/briefs/{brief.slug}",
            f"/instruments/{brief.instruments[0]}",
            f"/tags/{brief.primary_tag}",
            f"/api/briefs?tag={brief.primary_tag}&symbol={brief.instruments[0]}",
            "/feeds/briefs.atom",
        ]

        async def get_all() -> list[int]:
            transport = httpx.ASGITransport(app=create_app(pg, store=store))
            async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as c:
                return [(await c.get(p)).status_code for p in pages]

        assert asyncio.run(get_all()) == [200] * len(pages)
        before = _index_rows(store)
        _downgrade(store, "perf")
        store.upgrade()
        assert _index_rows(store) == before  # the backfill on PostgreSQL
    finally:
        store.close()


def test_a_brief_summary_is_the_documents_fields(world: World) -> None:
    """``/api/briefs`` and the live stream build a summary without the whole document (#16): it
    must still be the document's ``SUMMARY_KEYS``, in order, then the scores and the URL."""
    from tapewire.web.routes.api import SUMMARY_KEYS, brief_summary

    views, _ = queries.search_briefs(world.store, BriefFilter(), limit=100)
    market, _ = queries.search_briefs(world.store, BriefFilter(tag="market"), limit=5)
    assert len(views) == 100 and market
    for view in [*views, *market]:
        doc = queries.brief_document(view)
        expected = {k: doc[k] for k in SUMMARY_KEYS}
        expected.update(
            pulse=view.pulse,
            heat=view.heat,
            heat_label=view.heat_label,
            risk=view.risk,
            threat=view.threat,
            url=f"/briefs/{view.slug}",
        )
        summary = brief_summary(view)
        assert list(summary.items()) == list(expected.items())


def test_healthz_reports_the_newest_brief(world: World) -> None:
    """The health check answers from one index probe (not a count of every brief, which grew
    with the store), and the id it reports is the newest brief's."""

    async def get() -> Any:
        transport = httpx.ASGITransport(app=create_app(world.settings, store=world.store))
        async with httpx.AsyncClient(transport=transport, base_url="http://tapewire.test") as c:
            return (await c.get("/healthz")).json()

    with world.store.read() as s:
        newest = s.scalar(select(Brief.id).order_by(Brief.id.desc()).limit(1))
    assert asyncio.run(get()) == {"ok": True, "latest_brief_id": newest}


def test_a_briefs_chart_is_rendered_when_it_is_published(world: World) -> None:
    """Every brief's static chart is stored at publish (the demo's briefs through the ``brief``
    event, the grown ones copied with them) and is the SVG the page would draw live (#16)."""
    with world.store.read() as s:
        charts = dict(s.execute(select(Brief.id, Brief.chart)).all())
    assert len(charts) == LARGE
    for brief_id, chart in charts.items():
        stored = stored_chart(queries.brief_chart(world.store, brief_id))
        assert stored is not None and stored == price_svg(chart), brief_id
