"""Settings: TOML file, then TAPEWIRE_* environment, then flags; errors are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tapewire.config import load_settings
from tapewire.errors import ConfigError


def test_defaults_need_no_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    settings = load_settings()
    assert settings.database_url() == f"sqlite:///{tmp_path / 'tapewire' / 'tapewire.db'}"
    assert settings.http.allow_private_urls is False


def test_toml_then_env_then_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "tapewire.toml"
    config.write_text(
        '[web]\nport = 9000\nhost = "0.0.0.0"\n[market]\nmax_trading_days_behind = 9\n'
    )
    monkeypatch.setenv("TAPEWIRE_WEB__PORT", "9100")
    settings = load_settings(config)
    assert settings.web.port == 9100  # env beats the file
    assert settings.web.host == "0.0.0.0"  # noqa: S104 (a value read back, nothing binds)
    assert settings.market.max_trading_days_behind == 9
    flagged = load_settings(config, web={"port": 9200})
    assert flagged.web.port == 9200  # flags beat env
    assert flagged.web.host == "0.0.0.0"  # noqa: S104 (nested values merge)


def test_db_path_or_url(tmp_path: Path) -> None:
    assert (
        load_settings(db={"url": str(tmp_path / "x.db")}).database_url()
        == f"sqlite:///{tmp_path / 'x.db'}"
    )
    url = "postgresql+psycopg://u@h/db"
    assert load_settings(db={"url": url}).database_url() == url


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[web]\nport = 'many'\n", "web.port"),
        ("[nosuch]\nx = 1\n", "nosuch"),
        ("[web\n", "cannot read config"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(config)
    assert "\n" not in str(info.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")
