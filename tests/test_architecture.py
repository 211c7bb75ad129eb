"""Imports point downstream only (STYLE.md boundary rules), checked on the source text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SRC = ROOT / "src" / "tapewire"
STAGES = (
    "ingest",
    "market",
    "enrich",
    "technicals",
    "signals",
    "newsroom",
    "publish",
    "alerts",
    "scorecard",
)
FORBIDDEN_FOR_STAGES = ("tapewire.web", "tapewire.cli", "tapewire.pipeline", "tapewire.demo")
WEB_MAY_IMPORT = (
    "tapewire.web",
    "tapewire.store",
    "tapewire.config",
    "tapewire.__version__",
    "tapewire.clock",
    "tapewire.publish",
)  # publish holds the pure renderers (Atom) the web serves


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out += [f"{node.module}.{a.name}" for a in node.names]
    return [m for m in out if m == "tapewire" or m.startswith("tapewire.")]


@pytest.mark.parametrize("stage", STAGES)
def test_stages_do_not_import_web_cli_pipeline_or_demo(stage: str) -> None:
    for path in (SRC / stage).rglob("*.py"):
        bad = [m for m in _imports(path) if m.startswith(FORBIDDEN_FOR_STAGES)]
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_other_stages_are_read_through_queries_only() -> None:
    """A stage may import another stage's queries (reads) or value types, never its models."""
    for stage in STAGES:
        for path in (SRC / stage).rglob("*.py"):
            for module in _imports(path):
                parts = module.split(".")
                if len(parts) >= 3 and parts[1] in STAGES and parts[1] != stage:
                    assert parts[2] != "models", f"{path.relative_to(ROOT)} imports {module}"
                    assert parts[2] != "stage", f"{path.relative_to(ROOT)} imports {module}"


def test_web_reads_only_queries_store_and_config() -> None:
    for path in (SRC / "web").rglob("*.py"):
        for module in _imports(path):
            ok = module.startswith(WEB_MAY_IMPORT) or "queries" in module.split(".")
            assert ok, f"{path.relative_to(ROOT)} imports {module}"


def test_no_module_level_state() -> None:
    """No Settings(), FastAPI(), create_engine() or Store() at import time (STYLE rule 5)."""
    banned = {"Settings", "FastAPI", "create_engine", "Store", "open_store", "load_settings"}
    for path in SRC.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
                func = node.value.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                assert name not in banned, (
                    f"{path.relative_to(ROOT)}:{node.lineno} builds {name} at import"
                )
