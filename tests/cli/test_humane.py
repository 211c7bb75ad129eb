"""A CLI people enjoy (issue #15 part 7): progress on a terminal and quiet elsewhere, summaries in
plain words, the demo's one URL, and a busy port refused before any work or "serving" line."""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tapewire.cli_words import grouped_reasons, pass_summary
from tapewire.context import StageReport
from tests.conftest import shared_data
from tests.support.cli import cli_env

RUT = "prices/yahoo_long_to_2026-02/^RUT.csv"


def _on_a_terminal(argv: list[str], env: dict[str, str], timeout: float = 240) -> bytes:
    """Everything a command writes to a pseudo-terminal (stdout and stderr both on it)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 0, out[-2000:]
    return out


def test_prices_load_draws_progress_on_a_terminal_only(tmp_path: Path) -> None:
    csv = shared_data(RUT)
    argv = [sys.executable, "-m", "tapewire.cli", "prices", "load", "^RUT", str(csv)]
    env = {**cli_env(tmp_path), "TERM": "xterm-256color", "COLUMNS": "100"}
    shown = _on_a_terminal([*argv, "--db", str(tmp_path / "a.db")], env)
    assert b"\x1b[" in shown and f"^RUT from {csv}".encode() in shown  # the bar and its label
    assert b"9,686 new bars stored" in shown
    quiet = _on_a_terminal([*argv, "--db", str(tmp_path / "b.db")], {**env, "CI": "true"})
    assert b"\x1b[" not in quiet and b"9,686 new bars stored" in quiet
    piped = subprocess.run(
        [*argv, "--db", str(tmp_path / "c.db")], capture_output=True, env=env, check=True
    )
    assert b"\x1b[" not in piped.stdout + piped.stderr


def test_prices_load_says_what_it_stored_and_what_next(tmp_path: Path) -> None:
    csv = shared_data(RUT)
    argv = [sys.executable, "-m", "tapewire.cli", "prices", "load", "^RUT", str(csv)]
    argv += ["--db", str(tmp_path / "t.db")]
    first = subprocess.run(argv, capture_output=True, text=True, env=cli_env(tmp_path), check=True)
    lines = first.stdout.splitlines()
    assert lines == [
        "^RUT: 9,686 new bars stored (9,686 read)",
        "^RUT now holds 9,686 daily bars, 1987-09-10 to 2026-02-23",
        "next: tapewire levels ^RUT, tapewire signals ^RUT, or tapewire brief ^RUT",
    ]
    again = subprocess.run(argv, capture_output=True, text=True, env=cli_env(tmp_path), check=True)
    assert again.stdout.startswith("^RUT: no new bars (")
    assert "all stored already" in again.stdout


def test_a_pass_summary_says_what_failed_and_why_in_words() -> None:
    ingest = StageReport("ingest", {"feeds": 3, "new_items": 12})
    ingest.fail("https://www.cnbc.com/id/100003114/device/rss/rss.html", "HTTP 503")
    market = StageReport("market", {"instruments": 4, "new_bars": 3})
    news = StageReport("newsroom", {"briefs": 1, "no_new_session": 3, "not_written": 2})
    news.fail("AAPL", "stale data: last bar 2026-11-20, 12 trading days behind")
    news.fail("MSFT", "stale data: last bar 2026-11-19, 13 trading days behind")
    news.fail("ACME", "brief rejected: outlet 'Bloomberg' is not in the fact sheet")
    news.add("rejected")
    lines, todo = pass_summary([ingest, market, news])
    text = "\n".join(lines)
    assert "feeds: 3 fetched, 12 new items; 1 failed:" in text
    assert "  https://www.cnbc.com/id/100003114/device/rss/rss.html: HTTP 503" in text
    assert "bars: 4 instruments brought up to date, 3 new bars" in text
    assert "briefs: 1 published" in text
    assert "  5 briefs not written:" in text
    assert "    3 no new bar since the last brief (it still stands)" in text
    # two instruments' stale data are one reason, shown with the first one's own dates
    assert "    2 stale data: last bar 2026-11-20, 12 trading days behind (AAPL, MSFT)" in text
    assert "  1 rejected by the verifier (not published):" in text
    assert any("tapewire feeds list" in step for step in todo)
    assert any("stale" in step and "tapewire prices load" in step for step in todo)


def test_a_replay_summary_adds_up_its_days() -> None:
    day1 = StageReport("newsroom", {"briefs": 2, "no_new_session": 1})
    day2 = StageReport("newsroom", {"briefs": 3, "not_written": 1})
    day2.fail("ACME", "no signals computed: not enough history")
    lines, _ = pass_summary([day1, day2])
    assert lines[0] == "briefs: 5 published"
    assert "  2 briefs not written:" in lines
    assert grouped_reasons(day2.errors) == ["1 no signals computed: not enough history (ACME)"]


def _busy_port() -> socket.socket:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    return busy


def test_demo_on_a_busy_port_fails_before_any_work(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    with _busy_port() as busy:
        port = busy.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "tapewire.cli", "demo", "--port", str(port), "--db", str(db)],
            capture_output=True,
            text=True,
            env=cli_env(tmp_path),
            timeout=120,
            check=False,
        )
        seconds = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith(f"Error: cannot serve on 127.0.0.1:{port}: ")
    assert "--port" in error  # says what to do
    assert "serving" not in done.stdout and "http://" not in done.stdout
    assert not db.exists()  # no demo work was done
    assert seconds < 60  # at once, not after the demo's pipeline (seconds on a loaded machine)


def test_demo_prints_one_url_and_serves_it(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**cli_env(tmp_path), "TAPEWIRE_DEMO__HISTORY_DAYS": "1"}
    argv = [sys.executable, "-m", "tapewire.cli", "demo", "--port", str(port)]
    proc = subprocess.Popen(
        [*argv, "--db", str(tmp_path / "demo.db")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        out = []
        for line in proc.stdout:
            out.append(line)
            if line.startswith("serving the site"):
                break
        url = f"http://127.0.0.1:{port}/"
        assert out and out[-1].strip() == f"serving the site: open {url} (Ctrl-C to stop)", out
        with urllib.request.urlopen(url, timeout=60) as page:
            assert page.status == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    printed = "".join(out) + err
    assert printed.count("http://") == 1, printed  # the one URL to open, no loopback market URLs


@pytest.mark.parametrize("command", [["serve"], ["run"]])
def test_serve_suggests_a_free_port(tmp_path: Path, command: list[str]) -> None:
    db = str(tmp_path / "t.db")
    with _busy_port() as busy:
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "tapewire.cli", *command, "--port", str(port), "--db", db],
            capture_output=True,
            text=True,
            env=cli_env(tmp_path),
            timeout=120,
            check=False,
        )
    assert done.returncode == 2
    hint = done.stderr.strip().rsplit("try --port ", 1)[-1]
    with socket.socket() as free:  # the port it suggests can be listened on
        free.bind(("127.0.0.1", int(hint)))


def test_an_instrument_failing_on_several_days_is_named_once_with_its_count() -> None:
    """A six-day replay printed "(DX-Y.NYB, DX-Y.NYB, DX-Y.NYB, DX-Y.NYB, DX-Y.NYB and 1 more)"."""
    errors = [f"DX-Y.NYB: only 0 bars before 2023-11-{d}" for d in range(27, 31)]
    errors += ["ACME: only 3 bars before 2023-11-28"]
    assert grouped_reasons(errors) == ["5 only 0 bars before 2023-11-27 (DX-Y.NYB 4 times, ACME)"]
