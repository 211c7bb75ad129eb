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
