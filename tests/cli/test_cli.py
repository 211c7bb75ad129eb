"""The command-line contract: every command exists with --help, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tapewire.cli import main
from tests.support.cli import tapewire

COMMANDS = [
    ["demo"],
    ["run"],
    ["serve"],
    ["db", "upgrade"],
    ["feeds", "add"],
    ["feeds", "list"],
    ["ingest"],
    ["prices", "load"],
    ["instruments", "suggest"],
    ["levels"],
    ["signals"],
    ["sentiment"],
    ["brief"],
    ["replay"],
]


def run_cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return tapewire(tmp_path, *args, timeout=120)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: tapewire " + " ".join(command))
    assert "--db" in out and "--config" in out


@pytest.mark.parametrize(
    "command",
    [
        ["levels"],
        ["signals"],
        ["brief"],
        ["ingest"],
        ["feeds", "list"],
        ["instruments", "suggest"],
        ["db", "upgrade"],
        ["sentiment"],
        ["prices", "load"],
        ["demo"],
    ],
    ids=" ".join,
)
def test_result_commands_take_format(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    main([*command, "--help"])
    assert "--format [text|json]" in capsys.readouterr().out


def test_db_upgrade_then_feeds(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    up = run_cli(["db", "upgrade", "--db", db, "--format", "json"], tmp_path)
    assert up.returncode == 0, up.stderr
    assert json.loads(up.stdout)["revision"]
    added = run_cli(["feeds", "add", "https://example.com/feed.xml", "--db", db], tmp_path)
    assert added.returncode == 0 and "added" in added.stdout
    again = run_cli(["--db", db, "feeds", "add", "https://example.com/feed.xml"], tmp_path)
    assert "already present" in again.stdout
    listed = run_cli(["feeds", "list", "--db", db, "--format", "json"], tmp_path)
    assert [f["url"] for f in json.loads(listed.stdout)] == ["https://example.com/feed.xml"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["brief", "NOPE"], 1, "unknown instrument NOPE"),
        (["levels", "NOPE", "--as-of", "2026-13-45"], 2, "--as-of"),
        (["replay", "."], 2, "no feeds/*.xml or prices/*.csv"),
        (["replay", ".", "--from", "2026-02-30"], 2, "--from"),
        (["replay", "/no/such/dir"], 2, "not a directory"),
        (["nosuch"], 2, "No such command"),
        (["sentiment"], 2, "give TEXT or --file"),
        (["brief", "X", "--config", "/no/such.toml"], 2, "config file not found"),
        (["ingest", "/no/such/feed.xml"], 1, "no such file"),
    ],
)
def test_errors_are_one_line_with_the_right_exit_code(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = run_cli(
        [*args, "--db", str(tmp_path / "e.db")] if args[0] != "nosuch" else args, tmp_path
    )
    assert result.returncode == code, (result.stdout, result.stderr)
    assert message in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run_cli(["brief", "NOPE", "--db", str(tmp_path / "d.db"), "--debug"], tmp_path)
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_sentiment_labels_each_line(tmp_path: Path) -> None:
    lines = tmp_path / "lines.txt"
    lines.write_text(
        "Acme shares plunge after it misses estimates\nAcme rallies to a record high\n"
    )
    result = run_cli(["sentiment", "--file", str(lines), "--format", "json"], tmp_path)
    rows = json.loads(result.stdout)
    assert [r["label"] for r in rows] == ["negative", "positive"]
    assert rows[0]["score"] < 0 < rows[1]["score"]


def test_ingest_dry_run_stores_nothing(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://t.example/</link>'
        "<item><title>Acme jumps</title><link>https://t.example/a?utm_source=x</link>"
        "<pubDate>Thu, 19 Nov 2026 21:00:00 GMT</pubDate></item>"
        "<item><title>Undated item</title><link>https://t.example/b</link></item></channel></rss>"
    )
    db = str(tmp_path / "i.db")
    dry = run_cli(["ingest", str(feed), "--dry-run", "--db", db, "--format", "json"], tmp_path)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)[0]
    assert report["items_found"] == 2 and report["new_items"] == 0 and report["error"] is None
    assert report["items"][0]["canonical_url"] == "https://t.example/a"
    assert report["items"][1]["date_from_fetch"] is True
    listed = run_cli(["feeds", "list", "--db", db, "--format", "json"], tmp_path)
    assert json.loads(listed.stdout) == []
    real = run_cli(["ingest", str(feed), "--db", db, "--format", "json"], tmp_path)
    assert json.loads(real.stdout)[0]["new_items"] == 2
