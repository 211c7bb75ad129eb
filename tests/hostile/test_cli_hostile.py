"""Issue #17 items 11-14: hostile command lines are usage errors (exit 2, one line), never an
internal error, a traceback exit 1, or a source silently repointed. Real subprocesses."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tapewire.clock import parse_as_of
from tapewire.config import load_settings
from tapewire.errors import ConfigError
from tapewire.market.models import Instrument
from tapewire.store import open_store
from tests.conftest import shared_data
from tests.support.cli import cli_env


def run(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tapewire.cli", *args],
        capture_output=True,
        input=stdin,
        env={**cli_env(tmp_path), **(env or {})},
        check=False,
        timeout=120,
    )


def usage_error(
    done: subprocess.CompletedProcess[bytes], *needles: str, debug: bool = False
) -> str:
    err = done.stderr.decode()
    assert done.returncode == 2, (done.returncode, err)
    assert "internal error" not in err, err
    assert debug or "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def _small_csv(tmp_path: Path) -> Path:
    lines = shared_data("prices", "daily_2015_to_2026-02-27_normalized", "AAPL.csv").read_text()
    path = tmp_path / "aapl.csv"
    path.write_text("\n".join(lines.splitlines()[:80]) + "\n")
    return path


def test_prices_load_of_a_missing_file_is_a_usage_error_and_keeps_the_source(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "t.db")
    good = _small_csv(tmp_path)
    assert run(tmp_path, "prices", "load", "AAPL", str(good), "--db", db).returncode == 0
    for missing in ("/nonexistent.csv", "file:///nonexistent.csv", str(tmp_path)):
        usage_error(run(tmp_path, "prices", "load", "AAPL", missing, "--db", db), "SOURCE")
    store = open_store(f"sqlite:///{db}")
    try:
        with store.read() as s:
            source = s.scalars(select(Instrument.source_url)).one()
    finally:
        store.close()
    assert source == str(good)


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31T23:59:59-12:00", "9999-12-31"])
@pytest.mark.parametrize("debug", [[], ["--debug"]])
def test_out_of_range_as_of_is_a_usage_error(tmp_path: Path, as_of: str, debug: list[str]) -> None:
    done = run(tmp_path, *debug, "levels", "AAPL", "--as-of", as_of, "--db", str(tmp_path / "t.db"))
    usage_error(done, "--as-of", "out of range", debug=bool(debug))


def test_year_0001_is_not_read_as_2001() -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_as_of("0001-01-01")
    assert parse_as_of("1999-12-31T23:00:00-02:00").year == 2000


def test_debug_keeps_config_errors_at_exit_2(tmp_path: Path) -> None:
    done = run(tmp_path, "--debug", "feeds", "list", "--db", "foo://x")
    err = usage_error(done, "foo:// is not a supported database", "Traceback", debug=True)
    assert err.strip().splitlines()[-1].startswith("error: ")


@pytest.mark.parametrize("port", ["-1", "0", "99999", "http"])
def test_serve_on_an_impossible_port_is_a_usage_error(tmp_path: Path, port: str) -> None:
    done = run(tmp_path, "serve", "--port", port, "--db", str(tmp_path / "t.db"))
    usage_error(done, "--port")
    assert b"serving" not in done.stdout


@pytest.mark.parametrize("command", [["serve"], ["run"]])
def test_serve_on_a_busy_port_is_a_usage_error_before_serving(
    tmp_path: Path, command: list[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        done = run(tmp_path, *command, "--port", port, "--db", str(tmp_path / "t.db"))
    usage_error(done, f"cannot serve on 127.0.0.1:{port}")
    assert b"serving" not in done.stdout


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"TAPEWIRE_HTTP__MAX_BODY_BYTES": "-1"}, "http.max_body_bytes"),
        ({"TAPEWIRE_HTTP__RETRIES": "-3"}, "http.retries"),
        ({"TAPEWIRE_HTTP__TIMEOUT_S": "-1"}, "http.timeout_s"),
        ({"TAPEWIRE_HTTP__TOTAL_TIMEOUT_S": "0"}, "http.total_timeout_s"),
        ({"TAPEWIRE_FEEDS__POLL_MINUTES": "0"}, "feeds.poll_minutes"),
        ({"TAPEWIRE_WEB__PORT": "99999"}, "web.port"),
        ({"TAPEWIRE_DB__URL": "foo://x"}, "db.url"),
    ],
)
def test_settings_out_of_range_are_usage_errors(
    tmp_path: Path, env: dict[str, str], key: str
) -> None:
    usage_error(run(tmp_path, "feeds", "list", env=env), f"invalid setting {key}")


def test_settings_ranges_in_process() -> None:
    bad: list[tuple[str, str, object]] = [
        ("http", "max_body_bytes", 0),
        ("http", "retries", 11),
        ("http", "timeout_s", 0),
        ("feeds", "poll_minutes", -5),
        ("web", "page_cache_size", -1),
        ("web", "allowed_hosts", []),
    ]
    for section, key, value in bad:
        with pytest.raises(ConfigError, match=rf"^invalid setting {section}\.{key}"):
            load_settings(None, **{section: {key: value}})
    assert load_settings(db={"url": "postgresql+psycopg://u@h/db"}).db.url


def test_feeds_add_empty_is_a_usage_error(tmp_path: Path) -> None:
    usage_error(run(tmp_path, "feeds", "add", "", "--db", str(tmp_path / "t.db")), "URL")
    usage_error(run(tmp_path, "feeds", "add", "   ", "--db", str(tmp_path / "t.db")), "URL")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_overlong_symbol_is_a_usage_error_on_both_backends(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    db = (
        str(tmp_path / "t.db")
        if backend == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    good = _small_csv(tmp_path)
    for symbol in ("X" * 100_000, "X" * 65, ""):
        usage_error(run(tmp_path, "prices", "load", symbol, str(good), "--db", db), "SYMBOL")
    assert run(tmp_path, "prices", "load", "X" * 64, str(good), "--db", db).returncode == 0


def test_non_utf8_to_sentiment_is_a_usage_error(tmp_path: Path) -> None:
    done = run(tmp_path, "sentiment", "--file", "-", stdin=b"stocks rally\n\xff\xfe\x80 bad\n")
    usage_error(done, "--file", "not UTF-8")
