"""Intraday bars: Yahoo-style chart JSON parsed by start time (gaps, bad rows, the bar still
forming), incremental loads over a real loopback chart server on SQLite and Postgres, the as_of
cut (a bar is known once it has ended), the read API, and `tapewire prices load --interval`."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.errors import BadInputError, ConfigError
from tapewire.market import queries
from tapewire.market.models import Instrument, IntradayBar
from tapewire.market.providers import (
    Capabilities,
    CsvFileProvider,
    IntradayBarIn,
    ParsedIntraday,
    RejectedRow,
    StooqProvider,
    YahooProvider,
    intraday_source,
    intraday_step,
    parse_yahoo_intraday,
)
from tapewire.market.stage import (
    InstrumentSpec,
    IntradayLoadResult,
    ensure_instrument,
    load_intraday,
    save_instrument,
    save_intraday_bars,
)
from tapewire.net import HttpClient
from tapewire.store import Store
from tests.support.cli import tapewire
from tests.support.loopback import Route, serve_routes

HOUR = timedelta(hours=1)
OPEN_UTC, CLOSE_UTC = time(14, 30), time(21, 0)  # New York's session in November (EST)
THURSDAY = date(2026, 11, 19)
EVER = datetime(2100, 1, 1, tzinfo=UTC)
NULLS = (None, None, None, None, None)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=UTC)


def session_starts(first: date, last: date) -> list[datetime]:
    """60m bar starts of every weekday session: 14:30, 15:30, ... 20:30 (the last is 30 min)."""
    starts, day = [], first
    while day <= last:
        if day.weekday() < 5:
            starts += [at(day, 14, 30) + i * HOUR for i in range(7)]
        day += timedelta(days=1)
    return starts


def make_bar(start: datetime, i: int) -> IntradayBarIn:
    """A consistent bar whose prices wander with its index."""
    o = round(100 + 3 * math.sin(i / 5), 2)
    c = round(100 + 3 * math.sin((i + 1) / 5), 2)
    return IntradayBarIn(
        start, o, round(max(o, c) + 0.4, 2), round(min(o, c) - 0.3, 2), c, 1000 + i
    )


def series(first: date, last: date) -> list[IntradayBarIn]:
    return [make_bar(s, i) for i, s in enumerate(session_starts(first, last))]


def chart(
    rows: list[tuple[datetime, tuple[float | None, ...]]],
    *,
    market_time: datetime | None = None,
    session: tuple[datetime, datetime] | None = None,
    symbol: str = "ACME",
) -> bytes:
    """Yahoo's chart JSON: bar starts as UTC timestamps, five parallel value arrays, meta."""
    meta: dict[str, Any] = {"symbol": symbol, "gmtoffset": -18000, "dataGranularity": "60m"}
    if market_time is not None:
        meta["regularMarketTime"] = int(market_time.timestamp())
    if session is not None:
        meta["currentTradingPeriod"] = {
            "regular": {"start": int(session[0].timestamp()), "end": int(session[1].timestamp())}
        }
    quote = {k: [v[i] for _, v in rows] for i, k in enumerate(("open", "high", "low", "close"))}
    quote["volume"] = [v[4] for _, v in rows]
    result = {
        "meta": meta,
        "timestamp": [int(t.timestamp()) for t, _ in rows],
        "indicators": {"quote": [quote]},
    }
    return json.dumps({"chart": {"result": [result], "error": None}}).encode()


def values(bar: IntradayBarIn) -> tuple[float | None, ...]:
    return (bar.open, bar.high, bar.low, bar.close, bar.volume)


# ---------------------------------------------------------------- the pure parse


def test_parse_keeps_complete_bars_skips_null_gaps_and_rejects_bad_rows() -> None:
    day = series(THURSDAY, THURSDAY)  # 14:30 ... 20:30
    rows = [(b.bar_at, values(b)) for b in day]
    rows[1] = (rows[1][0], NULLS)  # 15:30: no trade in the hour (a gap, not an error)
    rows[2] = (rows[2][0], (100.0, 101.0, 99.0, None, 5.0))  # 16:30: a price missing
    rows[3] = (rows[3][0], (100.0, 99.0, 101.0, 100.0, 5.0))  # 17:30: high below low
    rows.insert(5, (rows[4][0], values(day[4])))  # 18:30 twice
    body = chart(
        rows, market_time=at(THURSDAY, 20, 40), session=(at(THURSDAY, 14, 30), at(THURSDAY, 21))
    )
    parsed = parse_yahoo_intraday(body, symbol="ACME", interval="60m")
    assert parsed.bars == (day[0], day[4], day[5])  # 20:30 ends after the market time: forming
    assert parsed.rejected == (
        RejectedRow(2, "missing price in the chart arrays"),
        RejectedRow(3, "high 99.0 < low 101.0"),
        RejectedRow(5, f"duplicate time {day[4].bar_at.isoformat()}"),
    )
    assert (parsed.forming, parsed.gaps) == (1, 1)
    assert all(
        b.bar_at.tzinfo is not None and b.bar_at.utcoffset() == timedelta(0) for b in parsed.bars
    )


@pytest.mark.parametrize(
    ("market_time", "fetched_at", "session", "complete"),
    [
        (at(THURSDAY, 21), None, True, 7),  # after the close: the 30-minute 20:30 bar has ended
        (at(THURSDAY, 21), None, False, 6),  # no session end known: 20:30 + 60m is after 21:00
        (at(THURSDAY, 20, 50), None, True, 6),  # 10 minutes before the close
        (at(THURSDAY, 21), at(THURSDAY, 20, 45), True, 6),  # fetched before the bar ended
        (None, at(THURSDAY, 19, 30), True, 5),  # the fetch time alone bounds it
        (at(THURSDAY, 18, 29), at(THURSDAY, 23), True, 3),  # the answer was made at 18:29
        (None, None, False, 7),  # nothing tells the time: the stage's as_of cut still applies
    ],
)
def test_a_bar_is_complete_once_it_ended_before_the_answer_was_made_and_fetched(
    market_time: datetime | None, fetched_at: datetime | None, session: bool, complete: int
) -> None:
    day = series(THURSDAY, THURSDAY)
    body = chart(
        [(b.bar_at, values(b)) for b in day],
        market_time=market_time,
        session=(at(THURSDAY, 14, 30), at(THURSDAY, 21)) if session else None,
    )
    parsed = parse_yahoo_intraday(body, symbol="ACME", interval="60m", fetched_at=fetched_at)
    assert parsed.bars == tuple(day[:complete])
    assert parsed.forming == len(day) - complete


def test_an_unaligned_last_point_at_the_latest_trade_is_forming() -> None:
    """Mid-session Yahoo appends a point stamped with the latest trade (15:47:23 here)."""
    day = series(THURSDAY, THURSDAY)[:2]
    live = at(THURSDAY, 15, 47) + timedelta(seconds=23)
    rows = [(b.bar_at, values(b)) for b in day] + [(live, (101.0, 101.5, 100.8, 101.2, 0))]
    parsed = parse_yahoo_intraday(chart(rows, market_time=live), symbol="ACME", interval="60m")
    assert parsed.bars == (day[0],) and parsed.forming == 2


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            b'{"chart": {"result": null, "error": {"code": "Unprocessable Entity", "description":'
            b' "1m data not available for startTime=1"}}}',
            "Yahoo chart error for ACME: 1m data not available",
        ),
        (b"<html>rate limited</html>", "not Yahoo chart JSON for ACME"),
        (
            b'{"chart": {"result": [{"timestamp": [1763562600], "indicators": {"quote": []}}]}}',
            "malformed Yahoo chart JSON for ACME",
        ),
        (
            b'{"chart": {"result": [{"meta": "x", "timestamp": [1763562600], "indicators": {"quote":'
            b' [{"open": [1], "high": [1], "low": [1], "close": [1]}]}}]}}',
            "malformed Yahoo chart JSON for ACME",
        ),
    ],
    ids=["yahoo-error", "html", "no-quote", "meta-text"],
)
def test_a_bad_answer_is_bad_input(body: bytes, error: str) -> None:
    with pytest.raises(BadInputError, match=error):
        parse_yahoo_intraday(body, symbol="ACME", interval="60m")


def test_an_empty_answer_has_no_bars() -> None:
    parsed = parse_yahoo_intraday(chart([]), symbol="ACME", interval="5m")
    assert parsed.bars == () and parsed.rejected == () and parsed.forming == 0


@pytest.mark.parametrize("interval", ["1d", "1h", "0m", "60", "1440m", ""])
def test_only_minute_intervals_are_intraday(interval: str) -> None:
    with pytest.raises(ConfigError, match="not an intraday interval"):
        intraday_step(interval)


def test_intervals_are_minutes() -> None:
    assert [intraday_step(i) for i in ("1m", "5m", "60m")] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(hours=1),
    ]


def test_which_providers_serve_which_intervals(settings: Settings, tmp_path: Path) -> None:
    with HttpClient(settings.http) as http:
        yahoo = YahooProvider(http, base_url="http://127.0.0.1:9")
        assert intraday_source(yahoo, "15m") is yahoo
        assert {"1d", "1m", "5m", "15m", "30m", "60m"} == set(yahoo.capabilities.intervals)
        assert yahoo.capabilities.lookback("1m") == timedelta(days=6)
        with pytest.raises(ConfigError, match=r"^yahoo has no 2m bars \(it has: 1d, 1m, 5m, 15m"):
            intraday_source(yahoo, "2m")
        stooq = StooqProvider(http, base_url="http://127.0.0.1:9")
        with pytest.raises(ConfigError, match=r"^stooq has no 60m bars \(it has: 1d\)$"):
            intraday_source(stooq, "60m")
        csv = CsvFileProvider(http, location=str(tmp_path / "x.csv"))
        with pytest.raises(ConfigError, match=r"^csvfile has no 5m bars"):
            intraday_source(csv, "5m")


# ---------------------------------------------------------------- a Yahoo-style chart server


@dataclass
class ChartServer:
    """A chart endpoint over a recorded 60m series that answers as Yahoo does: bars starting in
    [period1, period2) that have begun by ``now``; the one holding ``now`` is still forming (its
    values are not the final ones); ``regularMarketTime`` is the latest trade."""

    bars: list[IntradayBarIn]
    now: datetime
    asked: list[dict[str, str]] = field(default_factory=list)

    def answer(self, query: dict[str, str]) -> tuple[int, bytes]:
        self.asked.append(query)
        if query.get("interval") != "60m":
            return 422, b'{"chart": {"result": null, "error": {"description": "bad interval"}}}'
        first, last = (
            datetime.fromtimestamp(int(query[k]), tz=UTC) for k in ("period1", "period2")
        )
        rows = []
        for b in self.bars:
            if first <= b.bar_at < min(last, self.now):
                forming = b.bar_at + HOUR > self.now
                rows.append(
                    (b.bar_at, (b.open, b.high + 5, b.low, b.open, 0) if forming else values(b))
                )
        return 200, chart(rows, market_time=self.market_time(), session=self.session())

    def session(self) -> tuple[datetime, datetime]:
        day = (
            self.now.date() if self.now.time() >= OPEN_UTC else self.now.date() - timedelta(days=1)
        )
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return datetime.combine(day, OPEN_UTC, tzinfo=UTC), datetime.combine(
            day, CLOSE_UTC, tzinfo=UTC
        )

    def market_time(self) -> datetime:
        return min(self.now, self.session()[1])


@pytest.fixture
def yahoo() -> Iterator[tuple[ChartServer, str]]:
    """The server over Monday 16 to Wednesday 25 November, 2026; it is Thursday 18:00."""
    server = ChartServer(series(date(2026, 11, 16), date(2026, 11, 25)), now=at(THURSDAY, 18))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            assert parts.path == "/v8/finance/chart/ACME"
            status, body = server.answer({k: v[0] for k, v in parse_qs(parts.query).items()})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        httpd.server_close()


@pytest.fixture
def http(settings: Settings) -> Iterator[HttpClient]:
    with HttpClient(settings.http, sleep=lambda _s: None) as client:
        yield client


def add_acme(store: Store) -> int:
    with store.write() as s:
        return save_instrument(
            s, InstrumentSpec("ACME", "Acme Robotics Inc.", "Stocks", provider="yahoo")
        )


def load(
    store: Store,
    settings: Settings,
    http: HttpClient,
    base: str,
    as_of: datetime,
    interval: str = "60m",
) -> IntradayLoadResult:
    ctx = RunContext(
        store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
    )
    provider = YahooProvider(http, base_url=base)
    return load_intraday(ctx, add_acme(store), "ACME", provider, interval, source="yahoo:ACME:60m")


def stored(store: Store, until: datetime = EVER) -> list[IntradayBarIn]:
    inst = queries.instrument(store, "ACME")
    assert inst is not None
    return [
        IntradayBarIn(b.bar_at, b.open, b.high, b.low, b.close, b.volume)
        for b in queries.intraday_bars(store, inst.id, "60m", until=until)
    ]


def ended_by(bars: list[IntradayBarIn], moment: datetime) -> list[IntradayBarIn]:
    return [b for b in bars if b.bar_at + HOUR <= moment]


def asked_from(server: ChartServer) -> list[datetime]:
    return [datetime.fromtimestamp(int(q["period1"]), tz=UTC) for q in server.asked]


def test_a_first_load_stores_every_bar_that_ended_before_as_of(
    store: Store, settings: Settings, http: HttpClient, yahoo: tuple[ChartServer, str]
) -> None:
    server, base = yahoo
    as_of = server.now
    result = load(store, settings, http, base, as_of)
    expected = ended_by(server.bars, as_of)
    assert expected[-1].bar_at == at(THURSDAY, 16, 30)  # 17:30's bar is forming at 18:00
    assert result == IntradayLoadResult(
        "ACME", "yahoo:ACME:60m", "60m", len(expected), len(expected), 0, 1, None
    )
    assert stored(store) == expected
    [query] = server.asked
    assert (query["interval"], int(query["period2"])) == ("60m", int(as_of.timestamp()))
    assert asked_from(server) == [as_of - timedelta(days=729)]  # as far back as Yahoo serves 60m
    assert queries.count_bars(store) == 0  # the daily table is not touched


def test_a_reload_fetches_from_the_newest_stored_bar_and_stores_only_new_bars(
    store: Store, settings: Settings, http: HttpClient, yahoo: tuple[ChartServer, str]
) -> None:
    server, base = yahoo
    first = load(store, settings, http, base, server.now)
    server.now = at(THURSDAY + timedelta(days=1), 15)  # Friday 15:00
    second = load(store, settings, http, base, server.now)
    third = load(store, settings, http, base, server.now)
    assert asked_from(server)[1:] == [at(THURSDAY, 17, 30), at(THURSDAY, 21, 30)]
    assert (second.fetched, second.new, second.forming) == (4, 4, 1)  # Thursday 17:30 to 20:30
    assert (third.fetched, third.new, third.forming) == (0, 0, 1)  # Friday 14:30 still forming
    assert stored(store) == ended_by(server.bars, server.now)
    assert first.new + second.new == queries.count_intraday_bars(store, "60m")


def test_nothing_is_asked_while_no_bar_can_have_ended(
    store: Store, settings: Settings, http: HttpClient, yahoo: tuple[ChartServer, str]
) -> None:
    server, base = yahoo
    load(store, settings, http, base, server.now)  # newest stored: 16:30, which ended at 17:30
    again = load(store, settings, http, base, server.now + timedelta(minutes=20))
    assert len(server.asked) == 1 and again == IntradayLoadResult(
        "ACME", "yahoo:ACME:60m", "60m", 0, 0, 0, 0, None
    )


def test_the_session_s_short_last_bar_is_stored_after_the_close(
    store: Store, settings: Settings, http: HttpClient, yahoo: tuple[ChartServer, str]
) -> None:
    """At 22:00 the latest trade is the 21:00 close: the 20:30 bar (30 minutes) has ended."""
    server, base = yahoo
    server.now = at(THURSDAY, 22)
    result = load(store, settings, http, base, server.now)
    assert stored(store)[-1].bar_at == at(THURSDAY, 20, 30) and result.forming == 0
    assert stored(store) == ended_by(server.bars, server.now)


def test_a_poisoned_bar_after_as_of_changes_nothing(
    store: Store, settings: Settings, http: HttpClient
) -> None:
    """The answer ignores the window: it carries an absurd bar after as_of, and its market time
    says that bar is complete. Neither the first load nor a reload stores it."""
    real = series(THURSDAY, THURSDAY)
    as_of = at(THURSDAY, 22)
    poison = (at(THURSDAY + timedelta(days=1), 14, 30), (1.0, 1e9, 1.0, 1e9, 0))
    body = chart([(b.bar_at, values(b)) for b in real] + [poison], market_time=at(THURSDAY, 23, 59))
    with serve_routes({"/v8/finance/chart/ACME": Route(body=body)}) as base:
        first = load(store, settings, http, base, as_of)
        after_first = stored(store)
        again = load(store, settings, http, base, as_of + timedelta(hours=1))
    assert (first.new, again.new) == (len(real), 0)
    assert after_first == stored(store) == real
    assert queries.count_intraday_bars(store) == len(real)


class WindowIgnoringProvider:
    """A provider (a plugin, say) that sends every bar it has, whatever it is asked for."""

    name: ClassVar[str] = "everything"
    capabilities: ClassVar[Capabilities] = Capabilities(intervals=("1d", "60m"))

    def __init__(self, bars: tuple[IntradayBarIn, ...]) -> None:
        self.bars = bars
        self.asked: list[tuple[datetime, datetime]] = []

    def fetch_bars(self, symbol: str, *, start: date, end: date) -> Any:
        raise AssertionError("daily bars are not asked for")

    def fetch_intraday(
        self, symbol: str, *, interval: str, start: datetime, end: datetime
    ) -> ParsedIntraday:
        self.asked.append((start, end))
        return ParsedIntraday(self.bars)


def test_the_stage_itself_keeps_out_bars_a_provider_should_not_have_sent(
    store: Store, settings: Settings, http: HttpClient
) -> None:
    """Bars before the window, the bar not ended at as_of, an absurd bar after it: none stored."""
    real = series(THURSDAY - timedelta(days=1), THURSDAY + timedelta(days=1))
    poison = IntradayBarIn(at(THURSDAY, 23), 1.0, 1e9, 1.0, 1e9, 0.0)
    as_of = at(THURSDAY, 18)
    ctx = RunContext(
        store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
    )
    inst_id = add_acme(store)
    with store.write() as s:  # Wednesday is stored already
        save_intraday_bars(s, inst_id, "60m", tuple(real[:7]), source="yahoo")
    provider = WindowIgnoringProvider((*real, poison))
    result = load_intraday(ctx, inst_id, "ACME", provider, "60m", source="everything:ACME")
    assert provider.asked == [(at(THURSDAY - timedelta(days=1), 21, 30), as_of)]
    assert (result.fetched, result.new) == (3, 3)  # Thursday 14:30, 15:30, 16:30
    assert stored(store) == ended_by(real, as_of)
    assert max(b.high for b in stored(store)) < 1000


@pytest.mark.parametrize(
    ("route", "error"),
    [
        (Route(status=500, body=b"boom"), "HTTP 500 from"),
        (
            Route(
                status=404,
                body=b'{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found"}}}',
            ),
            "HTTP 404 from",
        ),
        (
            Route(
                body=b'{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}'
            ),
            "Yahoo chart error for ACME: No data found, symbol may be delisted",
        ),
    ],
    ids=["500", "404", "yahoo-error"],
)
def test_a_provider_error_is_recorded_and_keeps_what_was_stored(
    store: Store,
    settings: Settings,
    http: HttpClient,
    yahoo: tuple[ChartServer, str],
    route: Route,
    error: str,
) -> None:
    server, base = yahoo
    load(store, settings, http, base, server.now)
    before = stored(store)
    with serve_routes({"/v8/finance/chart/ACME": route}) as bad:
        failed = load(store, settings, http, bad, server.now + timedelta(days=1))
    assert failed.error is not None and error in failed.error and failed.new == 0
    assert stored(store) == before
    [health] = queries.provider_health(store)
    assert health.source == "yahoo:ACME:60m" and health.consecutive_failures == 1
    assert health.last_error == " ".join(failed.error.split())


def test_rejected_rows_are_counted_on_the_health_row(
    store: Store, settings: Settings, http: HttpClient
) -> None:
    real = series(THURSDAY, THURSDAY)
    rows = [(b.bar_at, values(b)) for b in real]
    rows[2] = (rows[2][0], (100.0, 101.0, None, 100.0, 1.0))
    rows[3] = (rows[3][0], NULLS)
    with serve_routes({"/v8/finance/chart/ACME": Route(body=chart(rows))}) as base:
        result = load(store, settings, http, base, at(THURSDAY, 22))
    assert (result.fetched, result.new, result.rejected) == (5, 5, 1)
    assert stored(store) == [b for i, b in enumerate(real) if i not in (2, 3)]
    [health] = queries.provider_health(store)
    assert (health.rows_rejected, health.last_status, health.last_error) == (1, 200, None)


def test_a_provider_without_the_interval_is_a_config_error_and_records_nothing(
    store: Store, settings: Settings, http: HttpClient
) -> None:
    ctx = RunContext(
        store=store,
        settings=settings,
        as_of=at(THURSDAY, 22),
        http=http,
        clock=FixedClock(at(THURSDAY, 22)),
    )
    stooq = StooqProvider(http, base_url="http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="stooq has no 60m bars"):
        load_intraday(ctx, add_acme(store), "acme.us", stooq, "60m", source="stooq:ACME:60m")
    assert queries.provider_health(store) == []


# ---------------------------------------------------------------- the read API and the table


def test_the_read_api_returns_only_bars_that_ended_by_until(
    store: Store, settings: Settings, http: HttpClient, yahoo: tuple[ChartServer, str]
) -> None:
    server, base = yahoo
    server.now = at(THURSDAY, 22)
    load(store, settings, http, base, server.now)
    inst_id = add_acme(store)
    until = at(THURSDAY, 16)
    got = queries.intraday_bars(store, inst_id, "60m", until=until, since=at(THURSDAY, 0))
    assert [b.bar_at for b in got] == [at(THURSDAY, 14, 30)]  # 15:30's bar ends at 16:30
    assert [
        b.bar_at
        for b in queries.intraday_bars(
            store, inst_id, "60m", until=at(THURSDAY, 16, 30), since=at(THURSDAY, 0)
        )
    ] == [at(THURSDAY, 14, 30), at(THURSDAY, 15, 30)]
    everything = queries.intraday_bars(store, inst_id, "60m", until=EVER)
    assert [b.bar_at for b in everything] == [b.bar_at for b in ended_by(server.bars, server.now)]
    assert queries.intraday_bars(store, inst_id, "15m", until=EVER) == []
    assert queries.last_intraday_at(store, inst_id, "60m") == at(THURSDAY, 20, 30)


def test_one_bar_per_instrument_interval_and_start_and_times_come_back_utc(store: Store) -> None:
    inst_id = add_acme(store)
    new_york = at(THURSDAY, 9, 30).astimezone(ZoneInfo("America/New_York"))  # 04:30 EST
    with store.write() as s:
        s.add(
            IntradayBar(
                instrument_id=inst_id,
                interval="60m",
                bar_at=new_york,
                open=1,
                high=2,
                low=0.5,
                close=1.5,
                volume=0,
            )
        )
        s.add(
            IntradayBar(
                instrument_id=inst_id,
                interval="5m",
                bar_at=new_york,
                open=1,
                high=2,
                low=0.5,
                close=1.5,
                volume=0,
            )
        )
    with store.read() as s:
        back = sorted(s.scalars(select(IntradayBar.bar_at)))
    assert back == [at(THURSDAY, 9, 30)] * 2 and all(b.utcoffset() == timedelta(0) for b in back)
    with pytest.raises(IntegrityError), store.write() as s:
        s.add(
            IntradayBar(
                instrument_id=inst_id,
                interval="60m",
                bar_at=at(THURSDAY, 9, 30),
                open=1,
                high=2,
                low=0.5,
                close=1.5,
                volume=0,
            )
        )
    with store.write() as s:  # deleting the instrument removes its intraday bars
        s.delete(s.get(Instrument, inst_id))
    assert queries.count_intraday_bars(store) == 0


def test_an_intraday_load_leaves_a_known_instrument_as_it_is(store: Store) -> None:
    """^GSPC's daily bars come from Stooq; loading its 60m bars from Yahoo must not change that."""
    daily = InstrumentSpec("^GSPC", "S&P 500", "Indices", provider="stooq", provider_symbol="^spx")
    with store.write() as s:
        first = save_instrument(s, daily)
        again = ensure_instrument(s, InstrumentSpec("^GSPC", "^GSPC", "Indices", provider="yahoo"))
        fresh = ensure_instrument(s, InstrumentSpec("^RUT", "^RUT", "Indices", provider="yahoo"))
    with store.read() as s:
        rows = {r.symbol: (r.id, r.name, r.provider) for r in s.scalars(select(Instrument))}
    assert rows == {"^GSPC": (first, "S&P 500", "stooq"), "^RUT": (fresh, "^RUT", "yahoo")}
    assert again == first


# ---------------------------------------------------------------- the command line


def test_prices_load_with_an_interval_stores_intraday_bars(tmp_path: Path) -> None:
    """The real entry point against the chart server; the series ended two hours ago."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * HOUR
    bars = [make_bar(now - (40 - i) * HOUR, i) for i in range(41)]  # 24x7, like crypto
    rows = [(b.bar_at, values(b)) for b in bars[:-1]] + [
        (bars[-1].bar_at, (101.0, 102.0, 100.0, 101.0, 0))
    ]
    body = chart(rows, market_time=now + timedelta(minutes=7))  # the last bar began at `now`
    config = tmp_path / "tapewire.toml"
    config.write_text("[http]\nallow_private_urls = true\nretries = 0\nper_host_delay_s = 0\n")
    db = str(tmp_path / "cli.db")
    with serve_routes({"/v8/finance/chart/BTC-USD": Route(body=body)}) as base:
        common = ["--db", db, "--config", str(config), "--provider", "yahoo"]
        first = tapewire(
            tmp_path,
            "prices",
            "load",
            "BTC-USD",
            base,
            *common,
            "--interval",
            "60m",
            "--format",
            "json",
            timeout=120,
        )
        second = tapewire(
            tmp_path, "prices", "load", "BTC-USD", base, *common, "--interval", "60m", timeout=120
        )
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert (out["interval"], out["new"], out["fetched"], out["forming"], out["error"]) == (
        "60m",
        40,
        40,
        1,
        None,
    )
    assert second.returncode == 0, second.stderr
    assert (
        second.stdout.strip()
        == "BTC-USD: 0 new 60m bars stored (0 read, 0 rejected, 1 still forming)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provider", "stooq", "--interval", "60m"], "error: stooq has no 60m bars (it has: 1d)"),
        (["--provider", "yahoo", "--interval", "1h"], "error: '1h' is not an intraday interval"),
        (["--interval", "5m"], "error: stooq has no 5m bars"),  # auto: a URL is Stooq-style
    ],
    ids=["stooq", "1h", "auto"],
)
def test_an_interval_the_provider_lacks_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = tapewire(
        tmp_path,
        "prices",
        "load",
        "ACME",
        "http://127.0.0.1:9",
        "--db",
        str(tmp_path / "e.db"),
        *args,
        timeout=120,
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip().startswith(message) and "\n" not in result.stderr.strip()
