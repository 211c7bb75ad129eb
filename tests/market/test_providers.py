"""Price providers: one contract for all (over real HTTP), every real price file, layouts, bad
rows with their line numbers and reasons, partial bars, malformed answers."""

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
    BarIn,
    CsvFileProvider,
    PriceProvider,
    RejectedRow,
    StooqProvider,
    YahooProvider,
    parse_csv_bars,
    parse_stooq_csv,
    parse_yahoo_chart,
)
from tapewire.net import HttpClient
from tests.conftest import SHARED_DATA, shared_data

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


# ---------------------------------------------------------------- layouts and bad rows, exactly


def test_yahoo_column_order_bom_and_blank_lines() -> None:
    """yfinance's alphabetical Date,Close,High,Low,Open,Volume: every column lands in its field."""
    body = (
        "\ufeffDate,Close,High,Low,Open,Volume\r\n"
        "\r\n"
        "2026-02-19,6861.89,6880.12,6833.02,6850.01,5151690000\r\n"
        "2026-02-20,6909.51,6915.86,6836.33,6843.26,5432480000\r\n"
        "\r\n"
        "\r\n"
    ).encode()
    parsed = parse_csv_bars(body)
    assert parsed.bars == (
        BarIn(date(2026, 2, 19), 6850.01, 6880.12, 6833.02, 6861.89, 5_151_690_000.0),
        BarIn(date(2026, 2, 20), 6843.26, 6915.86, 6836.33, 6909.51, 5_432_480_000.0),
    )
    assert parsed.rejected == () and not parsed.partial_last


def test_bad_rows_are_rejected_with_line_numbers_while_good_rows_load() -> None:
    body = (
        b"Date,Open,High,Low,Close,Volume\n"  # line 1
        b"2026-01-02,10,11,9,10.5,100\n"  # 2: good
        b"2026-01-05,10,9,11,10,100\n"  # 3: high < low
        b"2026-01-06,12,11,9,10,100\n"  # 4: open above the high
        b"\n"  # 5: blank, skipped
        b"2026-01-07,10,11,9,10,-5\n"  # 6: negative volume
        b"2026-01-08,10,11,9,10.1,5\n"  # 7: good
        b"2026-01-08,10,11,9,10.2,5\n"  # 8: duplicate date
        b"2026-01-09,ten,11,9,10,5\n"  # 9: not a number
        b"2026-01-12,10,11,9,8,5\n"  # 10: close below the low
        b"2026-01-13,0,11,9,10,5\n"  # 11: zero open
        b"2026-01-14,10,11,9\n"  # 12: a short row
        b"not a date,10,11,9,10,5\n"  # 13: no date
        b"2026-01-15,10,11,9,10.3,\n"  # 14: good, no volume is 0
    )
    parsed = parse_csv_bars(body)
    assert [(b.bar_date.day, b.close, b.volume) for b in parsed.bars] == [
        (2, 10.5, 100.0),
        (8, 10.1, 5.0),
        (15, 10.3, 0.0),
    ]
    reasons = {r.line: r.reason for r in parsed.rejected}
    assert sorted(reasons) == [3, 4, 6, 8, 9, 10, 11, 12, 13]
    assert reasons[3] == "high 9.0 < low 11.0"
    assert reasons[4] == reasons[10] == "open or close outside the high-low range"
    assert reasons[6] == "negative volume"
    assert reasons[8] == "duplicate date 2026-01-08"
    assert reasons[9].startswith("unreadable row: could not convert string to float: 'ten'")
    assert reasons[11] == "non-positive or missing price"
    assert reasons[12].startswith("unreadable row:") and reasons[13].startswith("unreadable row:")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2026-01-05,nan,11,9,10,5", "non-positive or missing price"),
        ("2026-01-05,10,inf,9,10,5", "non-positive or missing price"),
        ("2026-01-05,10,11,-inf,10,5", "non-positive or missing price"),
        ("2026-01-05,10,11,9,10,nan", "missing volume"),
        ("2026-01-05,10,11,9,10,inf", "missing volume"),
    ],
)
def test_non_finite_numbers_are_rejected(row: str, reason: str) -> None:
    """float() reads "nan" and "inf"; an infinite high would pass every range check."""
    parsed = parse_csv_bars(
        f"Date,Open,High,Low,Close,Volume\n2026-01-02,10,11,9,10,5\n{row}\n".encode()
    )
    assert [b.bar_date for b in parsed.bars] == [date(2026, 1, 2)]
    assert parsed.rejected == (RejectedRow(3, reason),)


def test_two_digit_years_are_this_century() -> None:
    """``2/27/26`` is 2026-02-27 (as strptime's %y reads it), not the year 26."""
    body = (
        b"Date,Open,High,Low,Close\n2/26/26,10,11,9,10\n2/27/26,10,11,9,10\n12/31/99,10,11,9,10\n"
    )
    assert [b.bar_date for b in parse_csv_bars(body).bars] == [
        date(1999, 12, 31),
        date(2026, 2, 26),
        date(2026, 2, 27),
    ]


def test_old_mac_line_endings_load() -> None:
    body = (
        b"Date,Open,High,Low,Close,Volume\r2026-01-02,10,11,9,10.5,100\r2026-01-05,10,11,9,10,50\r"
    )
    parsed = parse_csv_bars(body)
    assert [(b.bar_date, b.close) for b in parsed.bars] == [
        (date(2026, 1, 2), 10.5),
        (date(2026, 1, 5), 10.0),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"name,value\nx,1\n",
            r"not a price CSV \(prices/x\.csv\): missing column\(s\) date, open",
        ),
        (b"Date,Close\n2026-01-02,10\n", r"missing column\(s\) open, high, low"),
        (b"<!doctype html><html><body>Sign in</body></html>", "not a price CSV"),
        (b"", "not a price CSV"),
        (b'Date,Open,High,Low,Close\n2026-01-02,"' + b"1" * 200_000 + b"\n", "field larger than"),
    ],
    ids=["other-csv", "close-only", "html", "empty", "runaway-quote"],
)
def test_a_non_price_file_is_bad_input(body: bytes, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_csv_bars(body, source="prices/x.csv")


@pytest.mark.parametrize("body", [b"No data", b"No data\n", b"  no data  "])
def test_stooq_no_data_is_bad_input(body: bytes) -> None:
    with pytest.raises(BadInputError, match=r"stooq has no data for zzz\.us"):
        parse_stooq_csv(body, symbol="zzz.us")


def test_stooq_other_refusals_are_bad_input() -> None:
    with pytest.raises(BadInputError, match=r"not a price CSV \(stooq:acme\.us\)"):
        parse_stooq_csv(b"Exceeded the daily hits limit", symbol="acme.us")


@pytest.mark.parametrize(
    "body",
    [
        b'{"chart": []}',
        b'{"chart": {"result": [{"timestamp": [1767362400]}], "error": null}}',
        b'{"chart": {"result": [{"timestamp": [1767362400], "indicators": {"quote": []}}]}}',
        b'{"chart": {"result": [{"timestamp": ["x"], "indicators": {"quote": [{"open": [1],'
        b' "high": [1], "low": [1], "close": [1]}]}}]}}',
        b'{"chart": {"result": [{"timestamp": [1e20], "indicators": {"quote": [{"open": [1],'
        b' "high": [1], "low": [1], "close": [1]}]}}]}}',
        b'{"chart": {"result": [{"timestamp": [1767362400], "indicators": {"quote": [{"open":'
        b' ["a"], "high": [1], "low": [1], "close": [1]}]}}]}}',
    ],
    ids=["chart-list", "no-indicators", "no-quote", "text-stamp", "far-stamp", "text-price"],
)
def test_a_malformed_yahoo_answer_is_bad_input(body: bytes) -> None:
    with pytest.raises(BadInputError, match="malformed Yahoo chart JSON for ACME"):
        parse_yahoo_chart(body, symbol="ACME")


# ---------------------------------------------------------------- the two long real series


def long_series() -> list[str]:
    names = []
    for folder in ("merged_index_series", "yahoo_long_to_2026-02"):
        root = SHARED_DATA / "prices" / folder
        names += sorted(f"{folder}/{p.name}" for p in root.glob("*.csv")) if root.is_dir() else []
    return names or ["absent/absent.csv"]  # skipped below, saying why


LAST_BAR = {
    "merged_index_series": date(2026, 8, 21),
    "yahoo_long_to_2026-02": date(2026, 2, 23),
    "yahoo_long_to_2026-02/^FVX.csv": date(2025, 11, 14),  # the series stops early
    "yahoo_long_to_2026-02/^TNX.csv": date(2026, 2, 13),
}


@pytest.mark.parametrize("name", long_series())
def test_every_long_series_loads_or_says_why_per_row(name: str) -> None:
    path = shared_data("prices", *name.split("/"))
    body = path.read_bytes()
    parsed = parse_csv_bars(body, source=name)
    assert len(parsed.bars) >= 100
    dates = [b.bar_date for b in parsed.bars]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert dates[-1] == LAST_BAR.get(name, LAST_BAR[path.parent.name])
    assert all(
        b.low <= min(b.open, b.close) + 1e-6 and b.high >= max(b.open, b.close) - 1e-6
        for b in parsed.bars
    )
    data_rows = [line for line in body.decode("utf-8-sig").splitlines()[1:] if line.strip()]
    assert len(parsed.bars) + len(parsed.rejected) == len(data_rows)  # nothing dropped silently
    for row in parsed.rejected:
        assert 2 <= row.line <= len(body.splitlines()) and row.reason and "\n" not in row.reason
    assert len(parsed.rejected) < 0.1 * len(parsed.bars)


def test_the_flattened_second_header_row_of_a_yfinance_file_is_rejected() -> None:
    """XLE.csv carries yfinance's ticker row (",XLE,XLE,...") under the header."""
    path = shared_data("prices", "yahoo_long_to_2026-02", "XLE.csv")
    parsed = parse_csv_bars(path.read_bytes())
    assert parsed.rejected[0].line == 2 and parsed.rejected[0].reason.startswith("unreadable row")
    assert parsed.bars[0].bar_date == date(1998, 12, 22)


def test_an_intraday_last_row_is_flagged_partial() -> None:
    """The README says the 2026-02-23 row of these files is an intraday snapshot (volume 0)."""
    path = shared_data("prices", "yahoo_long_to_2026-02", "^RUT.csv")
    parsed = parse_csv_bars(path.read_bytes())
    assert parsed.partial_last and parsed.bars[-1].bar_date == date(2026, 2, 23)
    assert parsed.bars[-1].volume == 0 and parsed.bars[-2].volume > 0


def test_line_numbers_count_from_the_first_line_with_or_without_a_header() -> None:
    """A header that spells out exactly the headerless columns (Stooq's) is still a header."""
    stooq = b"Date,Open,High,Low,Close,Volume\n2026-01-02,10,11,9,10,5\n2026-01-05,10,9,11,10,5\n"
    mt4 = b"2026.01.02 00:00\t10\t11\t9\t10\t5\n2026.01.05 00:00\t10\t9\t11\t10\t5\n"
    assert parse_csv_bars(stooq).rejected == (RejectedRow(3, "high 9.0 < low 11.0"),)
    assert parse_csv_bars(mt4).rejected == (RejectedRow(2, "high 9.0 < low 11.0"),)
