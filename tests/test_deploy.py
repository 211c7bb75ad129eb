"""deploy/: the compose file and the systemd units parse, name the services the scale-out needs,
and every tapewire command line in them is accepted by the real CLI's parser; every variable
set for them is a real setting."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import click
import pytest

from tapewire.cli import cli
from tapewire.config import describe_settings
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
SETTING_ENVS = {doc.env for doc in describe_settings()} | {"TAPEWIRE_DATA_DIR"}


def parses(argv: list[str]) -> str:
    """The tapewire subcommand of ``argv``, after its options parsed (a bad one raises)."""
    assert argv[0].endswith("tapewire"), argv
    name, args = argv[1], argv[2:]
    command = cli.commands[name]
    with click.Context(cli) as parent:
        command.make_context(name, list(args), parent=parent)
    return name


def test_compose_has_store_broker_two_webs_workers_and_beat() -> None:
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = doc["services"]
    commands = {
        name: parses(s["command"])
        for name, s in services.items()
        if "command" in s and s["command"][0] == "tapewire"
    }
    assert {"postgres", "redis"} <= set(services)
    assert sorted(n for n, c in commands.items() if c == "serve") == ["web1", "web2"]
    assert "worker" in commands.values() and "beat" in commands.values()
    assert services["worker"]["deploy"]["replicas"] >= 2
    for name in commands:
        env = services[name]["environment"]
        assert set(env) <= SETTING_ENVS, set(env) - SETTING_ENVS
        assert env["TAPEWIRE_QUEUE__BROKER_URL"].startswith("redis://redis:")
        assert env["TAPEWIRE_DB__URL"].startswith("postgresql+psycopg://")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert (DEPLOY / "Dockerfile").read_text().count("tapewire") >= 2


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("tapewire-web.service", "serve"),
        ("tapewire-worker@.service", "worker"),
        ("tapewire-beat.service", "beat"),
    ],
)
def test_systemd_units_parse_and_run_real_commands(unit: str, command: str) -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "systemd" / unit).read_text())
    assert {"Unit", "Service", "Install"} <= set(parser.sections())
    service = parser["Service"]
    assert parses(shlex.split(service["ExecStart"])) == command
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/tapewire/tapewire.env"


def test_systemd_environment_names_real_settings() -> None:
    lines = (DEPLOY / "systemd" / "tapewire.env").read_text().splitlines()
    names = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert {"TAPEWIRE_DB__URL", "TAPEWIRE_QUEUE__BROKER_URL"} <= names <= SETTING_ENVS


def test_a_bad_command_line_would_fail_the_check() -> None:
    with pytest.raises(click.UsageError):
        parses(["tapewire", "worker", "--no-such-option"])


def test_deploy_folder_is_what_the_tests_read() -> None:
    assert sorted(p.name for p in (DEPLOY / "systemd").iterdir()) == [
        "tapewire-beat.service",
        "tapewire-web.service",
        "tapewire-worker@.service",
        "tapewire.env",
    ]
    assert isinstance(DEPLOY, Path)
