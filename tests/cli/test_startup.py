"""CLI start-up (issue #16): importing the CLI loads none of the heavy stacks; each store command
loads only what its path needs (no web/queue/data stacks, no PostgreSQL dialect on SQLite, only
the models it queries); `prices list`. Checked by the modules loaded, never by timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tapewire import cli_alerts
from tapewire.alerts import rules
from tapewire.schema import ALL_MODELS
from tests.support.cli import cli_env, tapewire

HEAVY = ("fastapi", "uvicorn", "starlette", "celery", "pandas", "numpy", "alembic", "httpx")
# Loaded only by the commands that use them, never by `import tapewire.cli`.
LAZY = (*HEAVY, "sqlalchemy", "pydantic", "pydantic_settings", "rich", "jinja2")


# Every stage's model modules: a read command loads only the ones it queries.
MODEL_MODULES = tuple(m.__name__ for m in ALL_MODELS)
# Never on a SQLite store's command path: the PostgreSQL dialect, every model at once (the
# metadata module), the Celery app.
NOT_ON_SQLITE = ("sqlalchemy.dialects.postgresql", "tapewire.schema", "tapewire.queue.app")
RUN = "from tapewire.cli import main\ncode = main([{}])"


def _modules_after(code: str, tmp_path: Path) -> set[str]:
    """Every module in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _loaded_after(code: str, tmp_path: Path) -> set[str]:
    return {name.split(".")[0] for name in _modules_after(code, tmp_path)}


def _command_modules(tmp_path: Path, *argv: str) -> set[str]:
    """The modules a CLI command loads, run through ``main`` as the console script runs it;
    the probe fails unless the command exited 0."""
    args = ", ".join(repr(a) for a in argv)
    return _modules_after(RUN.format(args) + "\nassert code == 0, code", tmp_path)


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


def _store_at_head(tmp_path: Path) -> str:
    db = str(tmp_path / "t.db")
    assert tapewire(tmp_path, "db", "upgrade", "--db", db).returncode == 0
    return db


@pytest.mark.parametrize(
    "argv",
    [
        ["feeds", "list"],
        ["prices", "list"],
        ["status"],
        ["instruments", "suggest"],
        ["db", "upgrade"],  # at head
        ["alerts", "list"],
        ["keys", "list"],
    ],
)
def test_read_commands_load_no_orm_and_no_model(tmp_path: Path, argv: list[str]) -> None:
    """Their reads are Core statements on light tables (``store.light``): neither
    ``sqlalchemy.orm`` nor any stage's declarative models load (issue #16: the ORM is ~60-100 ms
    of a 0.3 s budget)."""
    loaded = _command_modules(tmp_path, *argv, "--db", _store_at_head(tmp_path))
    assert "tapewire.store.core" in loaded and "sqlalchemy.engine" in loaded  # it opened the store
    assert not {m.split(".")[0] for m in loaded} & set(HEAVY), sorted(loaded & set(HEAVY))
    assert not loaded & set(NOT_ON_SQLITE), sorted(loaded & set(NOT_ON_SQLITE))
    assert "sqlalchemy.orm" not in loaded
    assert not {m for m in loaded if m.startswith("sqlalchemy.orm.")}
    assert not loaded & {*MODEL_MODULES, "tapewire.store.base"}, sorted(loaded & set(MODEL_MODULES))


def test_prices_load_of_a_file_skips_httpx_and_the_other_models(tmp_path: Path) -> None:
    csv = tmp_path / "ACME.csv"
    csv.write_text("Date,Open,High,Low,Close,Volume\n2026-01-05,10,11,9,10.5,100\n")
    db = _store_at_head(tmp_path)
    loaded = _command_modules(tmp_path, "prices", "load", "ACME", str(csv), "--db", db)
    assert "tapewire.market.stage" in loaded and "tapewire.net.local" in loaded
    assert not {m.split(".")[0] for m in loaded} & {"httpx", "httpcore", "rich", *HEAVY}
    assert not loaded & set(NOT_ON_SQLITE), sorted(loaded & set(NOT_ON_SQLITE))
    assert loaded & set(MODEL_MODULES) == {"tapewire.market.models"}
    stored = tapewire(tmp_path, "prices", "list", "--db", db, "--format", "json")
    assert json.loads(stored.stdout)[0]["bars"] == 1  # and it did store the bar


def test_sentiment_opens_no_store_and_no_settings(tmp_path: Path) -> None:
    loaded = _command_modules(tmp_path, "sentiment", "Stocks rally as yields fall")
    assert "tapewire.enrich.sentiment" in loaded
    packages = {m.split(".")[0] for m in loaded}
    assert not packages & {"sqlalchemy", "pydantic", "pydantic_settings", "httpx", "pandas"}


def test_brief_skips_httpx_and_the_postgresql_dialect(tmp_path: Path) -> None:
    rows = "".join(f"2026-01-{d:02d},10,11,9,{10 + d / 10},100\n" for d in range(5, 10))
    csv = tmp_path / "ACME.csv"
    csv.write_text("Date,Open,High,Low,Close,Volume\n" + rows)
    db = _store_at_head(tmp_path)
    assert tapewire(tmp_path, "prices", "load", "ACME", str(csv), "--db", db).returncode == 0
    args = ", ".join(repr(a) for a in ["brief", "ACME", "--as-of", "2026-01-10", "--db", db])
    loaded = _modules_after(RUN.format(args), tmp_path)  # a brief or a reason not to write one
    assert "tapewire.newsroom.stage" in loaded and "tapewire.newsroom.writers.llm" in loaded
    packages = {m.split(".")[0] for m in loaded}
    assert not packages & {"httpx", "httpcore", "fastapi", "celery", "alembic"}
    assert "sqlalchemy.dialects.postgresql" not in loaded


@pytest.mark.parametrize("module", MODEL_MODULES)
def test_a_write_finds_every_table_its_foreign_keys_name(tmp_path: Path, module: str) -> None:
    """Before a write, the store loads the models a loaded table points at (all of them, when
    one is missing); after it, every foreign key in the metadata resolves, which a flush needs."""
    code = (
        f"import {module}\n"
        "from tapewire.store.base import Base\n"
        "from tapewire.store.core import load_referenced_models\n"
        "load_referenced_models()\n"
        "for table in Base.metadata.tables.values():\n"
        "    for fk in table.foreign_keys:\n"
        "        assert fk.column is not None, fk\n"
    )
    loaded = _modules_after(code, tmp_path)
    assert module in loaded


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
