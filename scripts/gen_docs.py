"""Generate docs/cli.md and docs/settings.md from the code (``make docs``); ``--check`` fails on drift."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tapewire.cli import cli
from tapewire.config import describe_settings

ROOT = Path(__file__).resolve().parent.parent
CLI_MD = ROOT / "docs" / "cli.md"
SETTINGS_MD = ROOT / "docs" / "settings.md"


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            out.extend(_commands(command, full))
        else:
            out.append((full, command))
    return out


def render_cli() -> str:
    lines = [
        "# Command-line reference",
        "",
        "Generated from the code by `make docs` (a test fails when this file drifts).",
        "",
        "Every command takes `--db URL_OR_PATH`, `--config FILE` and `--debug`.",
        "Exit codes: 0 done; 1 the work failed (the message says why); 2 bad usage or configuration.",
        "Errors are one line on stderr; `--debug` shows the traceback.",
        "",
    ]
    for full, command in _commands(cli, "tapewire"):
        sub = click.Context(command, info_name=full, terminal_width=88, max_content_width=88)
        lines += [
            f"## `{full}`",
            "",
            (command.help or "").strip(),
            "",
            "```",
            command.get_help(sub).strip(),
            "```",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def render_settings() -> str:
    lines = [
        "# Settings reference",
        "",
        "Generated from `tapewire.config.Settings` by `make docs` (a test fails when a setting is",
        "missing here). Sources, strongest first: command-line flags (`--db`), environment variables",
        "`TAPEWIRE_<SECTION>__<KEY>`, then the TOML file given with `--config`.",
        "",
        "| TOML key | environment variable | type | default | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for doc in describe_settings():
        desc = doc.description.replace("|", "\\|")
        lines.append(f"| `{doc.key}` | `{doc.env}` | `{doc.type}` | `{doc.default}` | {desc} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    targets = {CLI_MD: render_cli(), SETTINGS_MD: render_settings()}
    if "--check" in argv:
        stale = [p.name for p, text in targets.items() if not p.is_file() or p.read_text() != text]
        if stale:
            sys.stderr.write(f"docs out of date: {', '.join(stale)} (run `make docs`)\n")
            return 1
        return 0
    for path, text in targets.items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
