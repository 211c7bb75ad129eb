"""The alerts CLI through the real entry point: a key printed once, rules checked, listed, removed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import tapewire


def test_keys_and_rules_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    made = tapewire(
        tmp_path, "keys", "create", "--db", db, "--scope", "alerts:write", "--format", "json"
    )
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)["key"]
    listed = tapewire(tmp_path, "keys", "list", "--db", db)
    assert "alerts:write" in listed.stdout and key not in listed.stdout
    bad = tapewire(
        tmp_path, "alerts", "add", "--db", db, "--key", key, "--trigger", "brief",
        "--channel", "stream", "--template", "{{symbol}} {{target_price}}",
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.startswith(
        "error: unknown placeholder {{target_price}}"
    )
    impossible = tapewire(
        tmp_path, "alerts", "add", "--db", db, "--trigger", "pulse_cross", "--param", "value=140",
        "--channel", "stream",
    )  # fmt: skip
    assert impossible.returncode == 2 and "value 140 is impossible" in impossible.stderr
    ok = tapewire(
        tmp_path, "alerts", "add", "--db", db, "--key", key, "--trigger", "move",
        "--param", "pct=3", "--channel", "stream", "--format", "json",
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    rule = json.loads(ok.stdout)
    assert rule["params"] == {"pct": 3.0} and rule["signing_secret"] is None
    assert "move" in tapewire(tmp_path, "alerts", "list", "--db", db).stdout
    assert tapewire(tmp_path, "alerts", "rm", "--db", db, str(rule["id"])).returncode == 0
    assert tapewire(tmp_path, "alerts", "list", "--db", db).stdout.strip() == "no rules"
    revoked = tapewire(tmp_path, "keys", "revoke", "--db", db, "1")
    assert revoked.returncode == 0
    refused = tapewire(
        tmp_path,
        "alerts",
        "add",
        "--db",
        db,
        "--key",
        key,
        "--trigger",
        "brief",
        "--channel",
        "stream",
    )
    assert refused.returncode == 1 and "revoked API key" in refused.stderr


def test_run_once_delivers_what_is_queued(tmp_path: Path) -> None:
    """`tapewire run --once` ends by delivering the outbox (here: a queued test alert)."""
    import subprocess
    import sys
    from datetime import UTC, datetime

    from tapewire.alerts import queries as alerts_queries
    from tapewire.store import open_store
    from tests.alerts.receiver import receiving
    from tests.support.cli import cli_env

    db = str(tmp_path / "run.db")
    env = cli_env(tmp_path) | {"TAPEWIRE_ALERTS__ALLOW_PRIVATE_TARGETS": "true"}
    with receiving() as rx:
        cmd = [sys.executable, "-m", "tapewire.cli", "alerts", "add", "--db", db, "--trigger", "brief",
               "--channel", "webhook", "--target", rx.url + "/run", "--format", "json"]  # fmt: skip
        made = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        assert made.returncode == 0, made.stderr
        rx.secrets["/run"] = json.loads(made.stdout)["signing_secret"]
        store = open_store(f"sqlite:///{db}")
        try:
            alerts_queries.queue_test(store, 1, now=datetime.now(UTC))
        finally:
            store.close()
        run = subprocess.run(
            [sys.executable, "-m", "tapewire.cli", "run", "--once", "--db", db],
            env=env, capture_output=True, text=True, check=False, timeout=240,
        )  # fmt: skip
        got = rx.wait(1, path="/run")
    assert run.returncode == 0, run.stderr
    assert "alerts: 1 delivered" in run.stdout
    assert len(got) == 1 and got[0].signature_ok
