"""load_bars and the market stage over the demo world's Stooq server, on SQLite and Postgres:
first loads cut at as_of, incremental loads fetch only what is new, nothing of as_of's day or
later is ever stored, provider errors land on the health row, poisoned answers change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import ClassVar

import pytest

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.demo.server import LoopbackServer
from tapewire.demo.world import DemoBar, DemoWorld, build_world
from tapewire.market import queries
from tapewire.market import stage as market_stage
from tapewire.market.providers import BarIn, Capabilities, ParsedBars, StooqProvider
from tapewire.market.stage import InstrumentSpec, LoadResult, load_bars, save_instrument
from tapewire.net import HttpClient
from tapewire.store import Store
from tests.conftest import DEMO_AS_OF
from tests.support.loopback import Route, serve_routes
from tests.support.servers import logged

EVER = datetime(2100, 1, 1, tzinfo=DEMO_AS_OF.tzinfo)
NEXT_WEEK = DEMO_AS_OF + timedelta(days=7)  # Friday 2026-11-27: Thursday was Thanksgiving
ACME_CSV = "/q/d/l/?s=acme.us"
Row = tuple[date, float, float, float, float, float]


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return build_world(seed=7, as_of=DEMO_AS_OF)


@pytest.fixture(scope="module")
def later_world() -> DemoWorld:
    """Two weeks on: the same bars up to DEMO_AS_OF (the series start at a fixed epoch), more after."""
    return build_world(seed=7, as_of=DEMO_AS_OF + timedelta(days=14))


@pytest.fixture
def http(settings: Settings) -> Iterator[HttpClient]:
    with HttpClient(settings.http, sleep=lambda _s: None) as client:
        yield client


def ctx_at(store: Store, settings: Settings, http: HttpClient, as_of: datetime) -> RunContext:
    return RunContext(
        store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
    )


def add_acme(store: Store, base_url: str | None = None) -> int:
    spec = InstrumentSpec(
        "ACME",
        "Acme Robotics Inc.",
        "Stocks",
        provider="stooq",
        provider_symbol="acme.us",
        source_url=base_url,
    )
    with store.write() as s:
        return save_instrument(s, spec)


def load_acme(
    store: Store, settings: Settings, http: HttpClient, base_url: str, as_of: datetime
) -> LoadResult:
    inst_id = add_acme(store)
    provider = StooqProvider(http, base_url=base_url)
    return load_bars(
        ctx_at(store, settings, http, as_of), inst_id, "acme.us", provider, source="stooq:ACME"
    )


def as_csv(bar: DemoBar) -> Row:
    """A demo bar as the served CSV carries it (two decimals, whole volume)."""
    return (
        bar.bar_date,
        round(bar.open, 2),
        round(bar.high, 2),
        round(bar.low, 2),
        round(bar.close, 2),
        float(int(bar.volume)),
    )


def stored_rows(store: Store, symbol: str = "ACME") -> list[Row]:
    inst = queries.instrument(store, symbol)
    assert inst is not None
    return [
        (b.bar_date, b.open, b.high, b.low, b.close, b.volume)
        for b in queries.bars(store, inst.id, until=EVER)
    ]


def test_a_first_load_stores_only_bars_before_as_of_day(
    store: Store, settings: Settings, http: HttpClient, later_world: DemoWorld
) -> None:
    """The server already has two more weeks of bars (a replay over a recorded series)."""
    served = later_world.bars["ACME"]
    assert served[-1].bar_date > DEMO_AS_OF.date()  # the answer reaches past as_of
    with LoopbackServer(later_world.files) as server:
        result = load_acme(store, settings, http, server.base_url, DEMO_AS_OF)
    expected = [as_csv(b) for b in served if b.bar_date < DEMO_AS_OF.date()]
    assert result == LoadResult("acme.us", "stooq:ACME", len(expected), len(expected), 0, None)
    assert stored_rows(store) == expected
    assert expected[-1][0] == date(2026, 11, 19)  # Thursday: the last complete day
    assert queries.count_bars(store) == len(expected)


def test_a_later_load_fetches_and_stores_only_the_new_bars(
    store: Store, settings: Settings, http: HttpClient, world: DemoWorld, later_world: DemoWorld
) -> None:
    with LoopbackServer(world.files) as server:
        first = load_acme(store, settings, http, server.base_url, DEMO_AS_OF)
        repeat = load_acme(store, settings, http, server.base_url, DEMO_AS_OF)
        requests = logged(server, 1)
    with LoopbackServer(later_world.files) as server:
        second = load_acme(store, settings, http, server.base_url, NEXT_WEEK)
        third = load_acme(store, settings, http, server.base_url, NEXT_WEEK)
    new = [
        as_csv(b)
        for b in later_world.bars["ACME"]
        if DEMO_AS_OF.date() <= b.bar_date < NEXT_WEEK.date()
    ]
    assert [d for d, *_ in new] == [
        date(2026, 11, 20),
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 11, 25),
    ]
    assert first.new == first.fetched == len(world.bars["ACME"])
    assert (repeat.fetched, repeat.new, repeat.error) == (0, 0, None)
    assert requests == [(ACME_CSV, 200)]  # up to date: the repeat had nothing to ask for
    assert (second.fetched, second.new, second.error) == (4, 4, None)  # only the window asked for
    assert (third.fetched, third.new, third.error) == (0, 0, None)  # Thanksgiving: no new bar
    assert stored_rows(store) == [as_csv(b) for b in world.bars["ACME"]] + new


def test_no_bar_of_as_of_day_or_later_is_stored_even_mid_session(
    store: Store, settings: Settings, http: HttpClient, later_world: DemoWorld
) -> None:
    """At 15:00 UTC on Friday the server has Friday's bar; it is not complete, so not stored."""
    friday_afternoon = DEMO_AS_OF + timedelta(hours=15)
    with LoopbackServer(later_world.files) as server:
        result = load_acme(store, settings, http, server.base_url, friday_afternoon)
    inst = queries.instrument(store, "ACME")
    assert inst is not None and result.error is None
    assert queries.last_bar_date(store, inst.id) == date(2026, 11, 19)
    assert all(d < DEMO_AS_OF.date() for d, *_ in stored_rows(store))


class WindowIgnoringProvider:
    """A provider (a plugin, say) that returns every bar it has, whatever window it is asked for."""

    name: ClassVar[str] = "everything"
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(self, bars: tuple[BarIn, ...], *, partial_last: bool = False) -> None:
        self.bars, self.partial_last = bars, partial_last
        self.asked: list[tuple[date, date]] = []

    def fetch_bars(self, symbol: str, *, start: date, end: date) -> ParsedBars:
        self.asked.append((start, end))
        return ParsedBars(self.bars, (), self.partial_last)


def test_the_stage_itself_keeps_out_bars_a_provider_should_not_have_sent(
    store: Store, settings: Settings, http: HttpClient, later_world: DemoWorld
) -> None:
    bars = tuple(BarIn(*as_csv(b)) for b in later_world.bars["ACME"])
    provider = WindowIgnoringProvider(bars, partial_last=True)  # the last (future) bar is forming
    inst_id = add_acme(store)
    result = load_bars(
        ctx_at(store, settings, http, DEMO_AS_OF),
        inst_id,
        "ACME",
        provider,
        source="everything:ACME",
    )
    expected = [as_csv(b) for b in later_world.bars["ACME"] if b.bar_date < DEMO_AS_OF.date()]
    assert provider.asked == [(date(2026, 11, 19) - timedelta(days=420), date(2026, 11, 19))]
    assert result.new == result.fetched == len(expected)
    assert stored_rows(store) == expected  # and none stored as partial: the forming bar is not ours
    assert queries.count_bars(store) == len(expected)
    assert queries.last_bar_date(store, inst_id) == queries.last_bar_date(
        store, inst_id, completed_only=True
    )


@pytest.mark.parametrize(
    ("route", "error"),
    [
        (Route(status=500, body=b"boom"), "HTTP 500 from"),
        (Route(status=404, body=b"missing"), "HTTP 404 from"),
        (Route(body=b"No data"), "stooq has no data for acme.us"),
        (
            Route(body=b"<html><body>Too many requests</body></html>"),
            "not a price CSV (stooq:acme.us)",
        ),
    ],
    ids=["500", "404", "no-data", "html"],
)
def test_a_provider_error_is_recorded_and_stores_nothing(
    store: Store, settings: Settings, http: HttpClient, route: Route, error: str
) -> None:
    with serve_routes({"/q/d/l/": route}) as base:
        first = load_acme(store, settings, http, base, DEMO_AS_OF)
        second = load_acme(store, settings, http, base, DEMO_AS_OF + timedelta(hours=1))
    assert first.error is not None and error in first.error
    assert (first.fetched, first.new) == (0, 0)
    assert queries.count_bars(store) == 0
    [health] = queries.provider_health(store)
    assert health.source == "stooq:ACME" and health.last_status is None
    assert health.last_error is not None and health.last_error == second.error
    assert error in health.last_error and "\n" not in health.last_error
    assert health.consecutive_failures == 2


def test_a_failure_after_a_good_load_keeps_the_bars_and_a_success_resets_the_count(
    store: Store, settings: Settings, http: HttpClient, world: DemoWorld, later_world: DemoWorld
) -> None:
    with LoopbackServer(world.files) as server:
        load_acme(store, settings, http, server.base_url, DEMO_AS_OF)
    before = stored_rows(store)
    route = Route(status=503)
    with serve_routes({"/q/d/l/": route}) as base:
        failed = load_acme(store, settings, http, base, NEXT_WEEK)
    assert failed.error is not None and "HTTP 503" in failed.error
    assert route.hits == 2  # retried once
    assert stored_rows(store) == before
    assert queries.provider_health(store)[0].consecutive_failures == 1
    with LoopbackServer(later_world.files) as server:
        recovered = load_acme(store, settings, http, server.base_url, NEXT_WEEK)
    assert (recovered.new, recovered.error) == (4, None)
    [health] = queries.provider_health(store)
    assert (health.consecutive_failures, health.last_error, health.last_status) == (0, None, 200)


def poisoned(world: DemoWorld, rows: list[str]) -> bytes:
    """The world's ACME CSV with extra rows appended after its last (complete) bar."""
    return world.files[ACME_CSV][0] + "".join(f"{row}\n" for row in rows).encode()


def test_a_poisoned_answer_with_an_absurd_bar_after_as_of_changes_nothing(
    store: Store, settings: Settings, http: HttpClient, world: DemoWorld
) -> None:
    """The answer carries a bar on as_of's day and one next week, both absurd: neither is stored,
    on the first load or on a reload, and the stored series is exactly the real one."""
    body = poisoned(world, ["2026-11-20,1,999999999,1,999999999,0", "2026-11-27,5,6,4,5,1"])
    with serve_routes({"/q/d/l/": Route(body=body, headers={"Content-Type": "text/csv"})}) as base:
        first = load_acme(store, settings, http, base, DEMO_AS_OF)
        after_first = stored_rows(store)
        again = load_acme(store, settings, http, base, DEMO_AS_OF)
    expected = [as_csv(b) for b in world.bars["ACME"]]
    assert first.new == len(expected) and again.new == 0
    assert after_first == stored_rows(store) == expected
    assert queries.count_bars(store) == len(expected)  # no partial row hides either
    assert max(high for _, _, high, *_ in stored_rows(store)) < 1000


def test_a_poisoned_answer_on_an_incremental_load_stores_only_the_real_new_bars(
    store: Store, settings: Settings, http: HttpClient, world: DemoWorld
) -> None:
    early = DEMO_AS_OF - timedelta(days=7)  # Friday 2026-11-13
    with LoopbackServer(world.files) as server:
        load_acme(store, settings, http, server.base_url, early)
    body = poisoned(world, ["2026-11-20,1,999999999,1,999999999,0"])
    with serve_routes({"/q/d/l/": Route(body=body)}) as base:
        result = load_acme(store, settings, http, base, DEMO_AS_OF)
    assert result.new == result.fetched == 5  # Friday 13th, then Monday 16th to Thursday 19th
    assert stored_rows(store) == [as_csv(b) for b in world.bars["ACME"]]
    assert queries.count_bars(store) == len(world.bars["ACME"])


def test_the_stage_loads_every_instrument_and_records_the_one_that_fails(
    store: Store, settings: Settings, http: HttpClient, world: DemoWorld
) -> None:
    with LoopbackServer(world.files) as server:
        with store.write() as s:
            for inst in world.instruments:
                save_instrument(
                    s,
                    InstrumentSpec(
                        inst.symbol,
                        inst.name,
                        inst.asset_class,
                        provider="stooq",
                        provider_symbol=inst.stooq_symbol,
                        source_url=server.base_url,
                        trades_weekends=inst.trades_weekends,
                    ),
                )
            save_instrument(
                s,
                InstrumentSpec(
                    "GONE",
                    "Delisted Corp.",
                    "Stocks",
                    provider="stooq",
                    provider_symbol="gone.us",
                    source_url=server.base_url,
                ),
            )
        report = market_stage.run(ctx_at(store, settings, http, DEMO_AS_OF))
    total = sum(len(world.bars[inst.symbol]) for inst in world.instruments)
    assert report.counts == {"instruments": 6, "new_bars": total}
    [error] = report.errors
    assert error.startswith(f"GONE: HTTP 404 from {server.base_url}/q/d/l/?s=gone.us&i=d")
    for inst in world.instruments:
        assert stored_rows(store, inst.symbol) == [as_csv(b) for b in world.bars[inst.symbol]]
    health = {h.source: h for h in queries.provider_health(store)}
    assert health["stooq:GONE"].consecutive_failures == 1
    assert all(h.last_error is None for source, h in health.items() if source != "stooq:GONE")
