"""Docs are generated from the code and must not drift; every setting and command is documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tapewire.cli import cli
from tapewire.config import describe_settings, load_settings
from tests.conftest import ROOT


def test_generated_docs_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_setting_is_in_the_settings_reference() -> None:
    text = (ROOT / "docs" / "settings.md").read_text()
    for doc in describe_settings():
        assert f"`{doc.key}`" in text and f"`{doc.env}`" in text, doc.key
        assert doc.description, f"{doc.key} has no description"


def test_every_design_command_is_in_the_cli_reference() -> None:
    text = (ROOT / "docs" / "cli.md").read_text()
    design = [
        "demo",
        "run",
        "serve",
        "db upgrade",
        "feeds add",
        "feeds list",
        "ingest",
        "prices load",
        "levels",
        "signals",
        "sentiment",
        "brief",
        "replay",
    ]
    for name in design:
        assert f"## `tapewire {name}`" in text, name
    assert set(cli.commands) >= {
        "demo",
        "run",
        "serve",
        "db",
        "feeds",
        "ingest",
        "prices",
        "levels",
        "signals",
        "sentiment",
        "brief",
        "replay",
    }


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme


def test_every_toml_example_in_the_readme_is_a_valid_config(tmp_path: Path) -> None:
    """A config a user copies from the README must load (unknown keys are errors)."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks
    for n, block in enumerate(blocks):
        path = tmp_path / f"example{n}.toml"
        path.write_text(block)
        load_settings(path)
