"""Every shell block of README.md runs (issue #15 part 7), offline, in a temporary home.

A ```sh block runs as one ``bash -e`` script, in README order, all in one temporary directory
that is also ``$HOME`` (so ``~/.local/share/tapewire`` is the test's), with this interpreter's
``bin`` (where ``tapewire`` is installed) first on ``PATH``, as after ``. .venv/bin/activate``.
A block that cannot run offline or would not end is marked on the line before it with
``<!-- not-run: why -->``; the reason is required. The files the offline "real data" block
names (``./RUT.csv``, ``./AAPL.csv``, ``./prices/``) are copied into that directory from
``../shared/data`` (skipped where it is absent). The demo runs one day instead of seven
(``TAPEWIRE_DEMO__HISTORY_DAYS=1``) to keep the test short.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_data

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(.*?)\s*-->")
PRICES = "prices/daily_2015_to_2026-02-27_normalized"


def readme_blocks(text: str) -> list[tuple[str, str | None]]:
    """(block, reason it is not run or None) for every ```sh block, in order."""
    blocks = []
    for match in BLOCK.finditer(text):
        before = text[: match.start()].rstrip().rsplit("\n", 1)[-1]
        marker = NOT_RUN.fullmatch(before.strip())
        blocks.append((match.group(1), marker.group(1) if marker else None))
    return blocks


def test_the_parser_sees_markers_and_blocks() -> None:
    text = "a\n<!-- not-run: needs network -->\n```sh\ncurl x\n```\n\n```sh\ntapewire --help\n```\n"
    assert readme_blocks(text) == [("curl x\n", "needs network"), ("tapewire --help\n", None)]


def test_every_not_run_block_says_why() -> None:
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    assert all(why is None or len(why) > 10 for _, why in blocks)
    assert README.read_text(encoding="utf-8").count("<!-- not-run:") == sum(
        1 for _, why in blocks if why is not None
    )  # no marker stranded away from its block


def test_every_runnable_readme_block_runs(tmp_path: Path) -> None:
    shutil.copy(shared_data("prices/yahoo_long_to_2026-02/^RUT.csv"), tmp_path / "RUT.csv")
    shutil.copy(shared_data(PRICES, "AAPL.csv"), tmp_path / "AAPL.csv")
    (tmp_path / "prices").mkdir()
    for symbol in ("MSFT", "^GSPC"):
        shutil.copy(shared_data(PRICES, f"{symbol}.csv"), tmp_path / "prices" / f"{symbol}.csv")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TAPEWIRE_DEMO__HISTORY_DAYS": "1",
    }
    runnable = [b for b, why in readme_blocks(README.read_text(encoding="utf-8")) if why is None]
    assert len(runnable) >= 2  # the demo's commands and the offline real-data commands
    for block in runnable:
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", block],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, (
            f"{block}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
        assert done.stdout.strip(), block  # each command printed what it did


@pytest.mark.parametrize("needle", ["make install", ". .venv/bin/activate", "pipx install ."])
def test_readme_says_how_to_get_tapewire_on_path(needle: str) -> None:
    assert needle in README.read_text(encoding="utf-8")
