"""Price providers: one contract for all (over real HTTP), every real price file, bad rows, partial bars."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tapewire.config import Settings
from tapewire.demo.server import LoopbackServer
from tapewire.demo.world import build_world
from tapewire.errors import BadInputError
from tapewire.market.providers import (
    CsvFileProvider,
    PriceProvider,
    StooqProvider,
    YahooProvider,
    parse_csv_bars,
    parse_yahoo_chart,
)
from tapewire.net import HttpClient
from tests.conftest import SHARED_DATA

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
PRICE_FILES = (
    sorted((SHARED_DATA / "prices").glob("*/*.csv")) if (SHARED_DATA / "prices").is_dir() else []
)


def yahoo_chart(bars: list[tuple[date, float, float, float, float, float]], symbol: str) -> bytes:
    """Yahoo's chart JSON shape: session-open timestamps (14:30 UTC) and an exchange offset."""
    stamps = [
        int(datetime(d.year, d.month, d.day, 14, 30, tzinfo=UTC).timestamp()) for d, *_ in bars
    ]
    quote = {
        k: [b[i + 1] for b in bars]
        for i, k in enumerate(("open", "high", "low", "close", "volume"))
    }
    doc = {
        "chart": {
            "result": [
                {
                    "meta": {"symbol": symbol, "gmtoffset": -18000},
                    "timestamp": stamps,
                    "indicators": {"quote": [quote]},
                }
            ],
            "error": None,
        }
    }
    return json.dumps(doc).encode()


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    world = build_world(as_of=AS_OF, bar_days=120)
    acme = world.bars["ACME"]
    files = dict(world.files)
    rows = [(b.bar_date, b.open, b.high, b.low, b.close, b.volume) for b in acme]
    files["/v8/finance/chart/ACME"] = (yahoo_chart(rows, "ACME"), "application/json")
    csv_path = tmp_path / "acme.csv"
    csv_path.write_bytes(world.files["/q/d/l/?s=acme.us"][0])
    with LoopbackServer(files) as server:
        yield server.base_url, csv_path, acme


def providers(http: HttpClient, base: str, csv_path: Path) -> dict[str, tuple[PriceProvider, str]]:
    return {
        "stooq": (StooqProvider(http, base_url=base), "acme.us"),
        "yahoo": (YahooProvider(http, base_url=base), "ACME"),
        "csvfile": (CsvFileProvider(http, location=str(csv_path)), "ACME"),
        "csv over http": (CsvFileProvider(http, location=f"{base}/q/d/l/?s=acme.us"), "ACME"),
    }


@pytest.mark.parametrize("name", ["stooq", "yahoo", "csvfile", "csv over http"])
def test_every_provider_meets_the_contract(name: str, served, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    base, csv_path, expected = served
    with HttpClient(settings.http) as http:
        provider, symbol = providers(http, base, csv_path)[name]
        start, end = expected[10].bar_date, expected[-5].bar_date
        parsed = provider.fetch_bars(symbol, start=start, end=end)
    assert (
        provider.name in {"stooq", "yahoo", "csvfile"} and "1d" in provider.capabilities.intervals
    )
    got = [(b.bar_date, b.open, b.high, b.low, b.close, b.volume) for b in parsed.bars]
    want = [(b.bar_date, b.open, b.high, b.low, b.close, b.volume) for b in expected[10:-4]]
    assert got == want  # same bars, oldest first, only inside [start, end]
    assert parsed.rejected == ()


@pytest.mark.skipif(
    not PRICE_FILES, reason="../shared/data/prices not present: real-file tests skipped"
)
@pytest.mark.parametrize("path", PRICE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_price_file_loads_or_says_why(path: Path) -> None:
    parsed = parse_csv_bars(path.read_bytes(), source=path.name)
    assert len(parsed.bars) >= 100
    dates = [b.bar_date for b in parsed.bars]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert all(b.low <= b.high for b in parsed.bars)
    for row in parsed.rejected:
        assert row.line >= 1 and row.reason and "\n" not in row.reason
    assert len(parsed.rejected) < len(parsed.bars) * 0.1  # rejections are the exception


@pytest.mark.skipif(not PRICE_FILES, reason="../shared/data/prices not present")
def test_known_bad_bars_are_rejected_not_used() -> None:
    """The raw ^GSPC export has a hand-typed 2026-01-20 bar with open 6,886.24 > high 6,871.17."""
    raw = SHARED_DATA / "prices" / "daily_2015_to_2026-02-27_raw" / "GSPC.csv"
    parsed = parse_csv_bars(raw.read_bytes())
    assert date(2026, 1, 20) not in {b.bar_date for b in parsed.bars}
    assert any("outside the high-low range" in r.reason for r in parsed.rejected)
    assert (
        parsed.bars[-1].bar_date == date(2026, 2, 27) and parsed.bars[-1].close == 6878.88
    )  # "6,878.88"


def test_bad_rows_each_get_a_reason() -> None:
    body = (
        "\ufeffDate,Open,High,Low,Close,Volume\n"
        "2026-01-02,10,11,9,10.5,100\n"
        "2026-01-05,10,9,11,10,100\n"  # high < low
        "2026-01-06,12,11,9,10,100\n"  # open above high
        "2026-01-07,10,11,9,10,-5\n"  # negative volume
        "2026-01-07,10,11,9,10,5\n"  # duplicate date
        "2026-01-08,ten,11,9,10,5\n"  # not a number
        "2026-01-09,10,11,9,10.2,50\n"
    ).encode()
    parsed = parse_csv_bars(body)
    assert [b.bar_date.day for b in parsed.bars] == [2, 7, 9]
    reasons = sorted(r.reason.split(":")[0].split(" ")[0] for r in parsed.rejected)
    assert len(parsed.rejected) == 4 and {"high", "open", "negative", "unreadable"} <= set(reasons)


def test_layouts_headerless_metatrader_and_us_dates() -> None:
    mt4 = b"2007-11-22 00:00:00\t1.48463\t1.48521\t1.48408\t1.48502\t11960\n2007-11-23 00:00:00\t1.48495\t1.49646\t1.47816\t1.48358\t802960\n"
    assert [b.close for b in parse_csv_bars(mt4).bars] == [1.48502, 1.48358]
    us = b'Date,Open,High,Low,Close,Adj Close,Volume\n2/27/2026,"6,856.54","6,882.96","6,831.74","6,878.88","6,878.88","6,665,660,000"\n'
    bar = parse_csv_bars(us).bars[0]
    assert bar.bar_date == date(2026, 2, 27) and bar.open == 6856.54 and bar.volume == 6_665_660_000
    with pytest.raises(BadInputError, match="missing column"):
        parse_csv_bars(b"name,value\nx,1\n")


def test_a_bar_without_volume_after_trading_days_is_partial() -> None:
    rows = "".join(
        f"2026-02-{d:02d},10,11,9,10,{0 if d == 23 else 100}\n"
        for d in (13, 16, 17, 18, 19, 20, 23)
    )
    parsed = parse_csv_bars(("Date,Open,High,Low,Close,Volume\n" + rows).encode())
    assert parsed.partial_last and parsed.bars[-1].bar_date == date(2026, 2, 23)
    never = parse_csv_bars(
        b"Date,Open,High,Low,Close\n"
        + "".join(f"2026-02-{d:02d},10,11,9,10\n" for d in range(2, 12)).encode()
    )
    assert not never.partial_last  # series without volume are never flagged


def test_yahoo_chart_errors_and_gaps() -> None:
    with pytest.raises(BadInputError, match="No data found"):
        parse_yahoo_chart(
            b'{"chart": {"result": null, "error": {"code": "Not Found", "description": "No data found"}}}',
            symbol="NOPE",
        )
    with pytest.raises(BadInputError, match="not Yahoo chart JSON"):
        parse_yahoo_chart(b"<html></html>", symbol="X")
    gap = yahoo_chart(
        [(date(2026, 1, 2), 1, 2, 0.5, 1.5, 10), (date(2026, 1, 5), 1, 2, 0.5, 1.5, 10)], "X"
    )
    doc = json.loads(gap)
    doc["chart"]["result"][0]["indicators"]["quote"][0]["close"][1] = None
    parsed = parse_yahoo_chart(json.dumps(doc).encode(), symbol="X")
    assert [b.bar_date for b in parsed.bars] == [date(2026, 1, 2)] and len(parsed.rejected) == 1
