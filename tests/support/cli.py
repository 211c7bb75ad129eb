"""Run the real `tapewire` entry point in a subprocess: real exit codes, stdout and stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def cli_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: no TAPEWIRE_* from the caller, the data dir under ``tmp_path``."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg")}


def tapewire(tmp_path: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tapewire.cli", *args],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        check=False,
        timeout=timeout,
    )
