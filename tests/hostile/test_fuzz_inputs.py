"""Fuzz (Hypothesis, fixed budget, derandomized): CSV readers, cursors, --as-of dates, settings.

The property everywhere: a valid result or a clean usage error / BadInputError / ValueError,
never another exception.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tapewire.cli import parse_as_of_arg
from tapewire.clock import AS_OF_YEARS, parse_as_of
from tapewire.config import Settings, load_settings
from tapewire.errors import BadInputError, ConfigError
from tapewire.market.providers import parse_csv_bars
from tapewire.market.providers.csvfile import decimal_mark
from tapewire.newsroom import queries
from tapewire.newsroom.queries import BriefFilter
from tapewire.store import Store, open_store

BUDGET = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.from_regex(r"[0-9]{1,4}([.,][0-9]{1,5}){0,2}", fullmatch=True),
    st.text(alphabet="0123456789,.-eE \"'\u00a0", max_size=12),
)
DATE = st.one_of(
    st.dates().map(str),
    st.from_regex(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}", fullmatch=True),
    st.text(max_size=12),
)


@st.composite
def csv_bodies(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = draw(
        st.one_of(
            st.just(["Date", "Open", "High", "Low", "Close", "Volume"]),
            st.lists(st.sampled_from(["Date", "Open", "High", "Low", "Close", "Adj Close", "x"])),
            st.just([]),
        )
    )
    rows = draw(st.lists(st.lists(st.one_of(DATE, NUMBER), min_size=0, max_size=8), max_size=12))
    lines = [delimiter.join(header)] if header else []
    lines += [delimiter.join(r) for r in rows]
    text = "\n".join(lines)
    if draw(st.booleans()):
        return text.encode("utf-8", "surrogatepass")
    return draw(st.binary(max_size=300)) + text.encode("utf-8", "surrogatepass")


@BUDGET
@given(csv_bodies())
def test_csv_reader_gives_bars_or_bad_input(body: bytes) -> None:
    try:
        parsed = parse_csv_bars(body, source="fuzz")
    except BadInputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for bar in parsed.bars:
        assert bar.low <= min(bar.open, bar.close) * (1 + 1e-6)
    dates = [b.bar_date for b in parsed.bars]
    assert dates == sorted(set(dates))


@BUDGET
@given(st.lists(NUMBER, max_size=20), st.sampled_from([",", ";", "\t"]))
def test_decimal_mark_is_a_mark_or_bad_input(cells: list[str], delimiter: str) -> None:
    with contextlib.suppress(BadInputError):
        assert decimal_mark(cells, delimiter) in (",", ".")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}")
    yield s
    s.close()


CURSOR_TEXT = st.one_of(
    st.tuples(
        st.one_of(st.datetimes().map(datetime.isoformat), st.text(max_size=30)),
        st.one_of(st.integers().map(str), st.text(max_size=5)),
    ).map(lambda p: base64.urlsafe_b64encode(f"{p[0]}|{p[1]}".encode()).decode().rstrip("=")),
    st.text(max_size=60),
    st.binary(max_size=40).map(lambda b: base64.urlsafe_b64encode(b).decode()),
)


@BUDGET
@given(CURSOR_TEXT)
def test_cursors_page_or_raise_value_error(store: Store, cursor: str) -> None:
    try:
        views, _ = queries.search_briefs(store, BriefFilter(), limit=5, cursor=cursor)
    except ValueError:
        return
    assert views == []  # an empty store: a valid cursor pages through nothing


AS_OF_TEXT = st.one_of(
    st.dates().map(str),
    st.datetimes(timezones=st.timezones()).map(datetime.isoformat),
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?",
        fullmatch=True,
    ),
    st.text(max_size=30),
)


@BUDGET
@given(AS_OF_TEXT)
def test_as_of_is_an_aware_instant_in_range_or_a_usage_error(text: str) -> None:
    try:
        parsed = parse_as_of_arg(text)
    except click.BadParameter as exc:
        assert "--as-of" in str(exc.param_hint)
        with pytest.raises(ValueError):
            parse_as_of(text)
        return
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed.utcoffset() == UTC.utcoffset(None)
    assert AS_OF_YEARS[0] <= parsed.year <= AS_OF_YEARS[1]


SETTING_KEYS = [
    (section, key)
    for section, model in Settings.model_fields.items()
    if isinstance(model.annotation, type) and hasattr(model.annotation, "model_fields")
    for key in model.annotation.model_fields
]
VALUES = st.one_of(
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=3),
)


@BUDGET
@given(st.lists(st.tuples(st.sampled_from(SETTING_KEYS), VALUES), min_size=1, max_size=4))
def test_settings_are_valid_or_a_config_error(
    tmp_path: Path, pairs: list[tuple[tuple[str, str], Any]]
) -> None:
    overrides: dict[str, dict[str, Any]] = {}
    for (section, key), value in pairs:
        overrides.setdefault(section, {})[key] = value
    try:
        loaded = load_settings(None, data_dir=tmp_path, **overrides)
    except ConfigError as exc:
        assert str(exc).startswith("invalid setting ") and "\n" not in str(exc)
        return
    http = loaded.http
    assert http.max_body_bytes >= 1 and http.retries >= 0 and http.timeout_s > 0
    assert loaded.feeds.poll_minutes >= 1 and 1 <= loaded.web.port <= 65535
