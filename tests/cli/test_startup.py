"""CLI start-up (issue #16): importing the CLI loads none of the heavy stacks; `prices list`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tapewire import cli_alerts
from tapewire.alerts import rules
from tests.support.cli import cli_env, tapewire

HEAVY = ("fastapi", "uvicorn", "starlette", "celery", "pandas", "numpy", "alembic", "httpx")
# Loaded only by the commands that use them, never by `import tapewire.cli`.
LAZY = (*HEAVY, "sqlalchemy", "pydantic", "pydantic_settings", "rich", "jinja2")


def _loaded_after(code: str, tmp_path: Path) -> set[str]:
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        check=True,
        timeout=120,
    )
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_importing_the_cli_loads_no_heavy_stack(tmp_path: Path) -> None:
    loaded = _loaded_after("import tapewire.cli", tmp_path)
    assert "click" in loaded and "tapewire" in loaded  # the probe saw the import
    assert not loaded & set(LAZY), sorted(loaded & set(LAZY))


def test_help_and_a_store_command_skip_the_web_and_queue_stacks(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert tapewire(tmp_path, "db", "upgrade", "--db", str(db)).returncode == 0  # at head
    run = "from tapewire.cli import main\nmain([{}])"
    help_loaded = _loaded_after(run.format("'--help'"), tmp_path)
    assert not help_loaded & set(LAZY), sorted(help_loaded & set(LAZY))
    for argv in (["feeds", "list"], ["prices", "list"]):
        args = ", ".join(repr(a) for a in [*argv, "--db", str(db)])
        loaded = _loaded_after(run.format(args), tmp_path)
        assert "sqlalchemy" in loaded  # it did open the store
        assert not loaded & set(HEAVY), (argv, sorted(loaded & set(HEAVY)))


def test_alerts_choices_equal_the_rules_module() -> None:
    assert cli_alerts.TRIGGERS == rules.TRIGGERS
    assert cli_alerts.FREQUENCIES == rules.FREQUENCIES


def test_prices_list_shows_each_series_span(tmp_path: Path) -> None:
    csv = tmp_path / "ACME.csv"
    csv.write_text(
        "Date,Open,High,Low,Close,Volume\n"
        "2026-01-05,10,11,9,10.5,100\n2026-01-06,10.5,12,10,11.5,120\n"
        "2026-01-07,11.5,12,11,11.8,90\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "t.db")
    empty = tapewire(tmp_path, "prices", "list", "--db", db)
    assert empty.returncode == 0 and "no instruments yet" in empty.stdout
    loaded = tapewire(tmp_path, "prices", "load", "ACME", str(csv), "--db", db)
    assert loaded.returncode == 0, loaded.stderr
    text = tapewire(tmp_path, "prices", "list", "--db", db)
    assert text.returncode == 0, text.stderr
    row = text.stdout.splitlines()[1].split()
    assert row[:5] == ["ACME", "Stocks", "3", "2026-01-05", "2026-01-07"]
    rows = json.loads(tapewire(tmp_path, "prices", "list", "--db", db, "--format", "json").stdout)
    assert [(r["symbol"], r["bars"], r["first"], r["last"]) for r in rows] == [
        ("ACME", 3, "2026-01-05", "2026-01-07")
    ]
