"""Issue #17 item 6: a ``;``-separated CSV with decimal commas is read right, never 100x prices."""

from __future__ import annotations

import pytest

from tapewire.errors import BadInputError
from tapewire.market.providers import parse_csv_bars
from tests.conftest import shared_data


def _european(text: str) -> str:
    """The same file as a European spreadsheet exports it: ``;`` fields and decimal commas."""
    lines = text.splitlines()
    return "\n".join(line.replace(",", ";").replace(".", ",") for line in lines) + "\n"


def test_semicolon_decimal_comma_reads_the_same_prices_as_the_original() -> None:
    original = shared_data("prices", "daily_2015_to_2026-02-27_normalized", "AAPL.csv").read_text()
    plain = parse_csv_bars(original.encode())
    european = parse_csv_bars(_european(original).encode())
    assert len(european.bars) == len(plain.bars) > 2000
    assert european.bars == plain.bars
    assert european.bars[-1].close < 1000  # AAPL is not 100x


def test_decimal_comma_with_thousands_points() -> None:
    body = "Date;Open;High;Low;Close;Volume\n2026-01-02;1.234,50;1.240,00;1.230,25;1.238,75;1.000\n"
    bar = parse_csv_bars(body.encode()).bars[0]
    assert (bar.open, bar.high, bar.low, bar.close) == (1234.5, 1240.0, 1230.25, 1238.75)


def test_quoted_thousands_commas_still_read_as_thousands() -> None:
    body = 'Date,Open,High,Low,Close\n2026-01-02,"6,856.54","6,870.00","6,840.10","6,860.25"\n'
    assert parse_csv_bars(body.encode()).bars[0].close == 6860.25


def test_mixed_decimal_marks_are_refused_with_a_clear_error() -> None:
    body = "Date;Open;High;Low;Close\n2026-01-02;179,50;180,00;179,00;179,75\n2026-01-05;179.50;180.00;179.00;179.75\n"
    with pytest.raises(BadInputError, match="mixed decimal marks"):
        parse_csv_bars(body.encode(), source="mixed.csv")


def test_decimal_commas_in_a_comma_separated_file_are_rejected_not_misread() -> None:
    body = "Date,Open,High,Low,Close\n2026-01-02,179,50,180,00,179,00,179,75\n"
    parsed = parse_csv_bars(body.encode())
    assert parsed.bars == ()
    assert "decimal comma" in parsed.rejected[0].reason
