"""Settings: a TOML file, then ``TAPEWIRE_<SECTION>__<KEY>`` environment variables, then CLI flags.

Built once in ``cli.py`` (or by ``create_app``'s caller) and passed down; nothing reads
settings at import time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from tapewire.errors import ConfigError

ENV_PREFIX = "TAPEWIRE_"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tapewire"


class _Section(BaseModel):
    model_config = {"extra": "forbid"}


class DatabaseSettings(_Section):
    url: str | None = Field(
        None,
        description="SQLAlchemy URL or a file path. Default: `tapewire.db` in the data dir "
        "(SQLite, WAL). Example: `postgresql+psycopg://user@host/db`.",
    )
    busy_timeout_ms: int = Field(
        5000, ge=0, le=600_000, description="SQLite busy timeout for a waiting writer."
    )

    @field_validator("url")
    @classmethod
    def _known_backend(cls, url: str | None) -> str | None:
        if url is None or "://" not in url:
            return url
        scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
        if scheme not in ("sqlite", "postgresql"):
            raise ValueError(f"{scheme}:// is not a supported database (sqlite or postgresql)")
        return url


class HttpSettings(_Section):
    timeout_s: float = Field(
        20.0, gt=0, le=3600, description="Connect/read timeout of one request, seconds."
    )
    user_agent: str = Field(
        "tapewire/0.1 (+https://github.com/tapewire)", description="User-Agent sent to sources."
    )
    max_body_bytes: int = Field(
        20_000_000,
        ge=1,
        le=2**31,
        description="Largest response body read; larger is rejected as bad input.",
    )
    total_timeout_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="Most time one fetch may take in all (a slow-drip server is cut off).",
    )
    retries: int = Field(
        2, ge=0, le=10, description="Retries on timeouts, 429 and 5xx (with backoff)."
    )
    per_host_connections: int = Field(
        1, ge=1, description="Requests one host may have in flight at once (politeness)."
    )
    per_host_delay_s: float = Field(
        1.0,
        ge=0.0,
        description="Least time between the starts of two requests to one host, seconds.",
    )
    allow_private_urls: bool = Field(
        False,
        description="Allow feed/provider URLs on private or loopback networks "
        "(the demo turns it on for its own loopback server).",
    )


class FeedsSettings(_Section):
    poll_minutes: int = Field(
        15, ge=1, le=7 * 24 * 60, description="Minutes between polls of one feed."
    )
    fetch_workers: int = Field(
        4,
        ge=1,
        description="Feeds fetched at once (each host still gets `http.per_host_connections`).",
    )


class MarketSettings(_Section):
    stooq_base_url: str = Field(
        "https://stooq.com", description="Base URL of the Stooq-style CSV provider."
    )
    yahoo_base_url: str = Field(
        "https://query1.finance.yahoo.com",
        description="Base URL of the Yahoo-style chart JSON provider.",
    )
    history_days: int = Field(
        420, ge=1, le=40_000, description="Calendar days of bars fetched on a first load."
    )
    max_trading_days_behind: int = Field(
        2,
        description="A daily series more than this many trading days behind the bar due (per its "
        "exchange calendar: weekends and holidays do not count) is stale: no brief is written on it.",
    )
    vix_symbol: str = Field(
        "^VIX",
        description="The instrument whose level sets the volatility regime of US equities, "
        "indices and ETFs (used when its bars are stored).",
    )


class NewsroomSettings(_Section):
    news_window_hours: int = Field(72, description="News items a brief may cite are this recent.")
    watchlist: list[str] = Field(
        default_factory=list,
        description="Symbols that get a daily brief on every new session (empty: every "
        "instrument). Others get a brief only on a signal event or a hot story.",
    )
    heat_threshold: float = Field(
        67.0,
        description="A story on an instrument whose Heat reaches this score (0-100) triggers "
        "a brief of its own, once per story.",
    )


class LlmSettings(_Section):
    enabled: bool = Field(
        False,
        description="Write briefs with a language model (any OpenAI-compatible chat-completions "
        "endpoint). Off: the deterministic writer, no key needed. Every LLM text is verified; "
        "a failing one is retried once, then replaced by the deterministic writer's.",
    )
    base_url: str | None = Field(
        None,
        description="Base URL of the endpoint, up to `/v1` (requests go to "
        "`{base_url}/chat/completions`). Examples: `http://127.0.0.1:11434/v1` (Ollama), "
        "`http://127.0.0.1:8080/v1` (llama.cpp server), `https://api.openai.com/v1`. Its host "
        "may be loopback or private whatever `http.allow_private_urls` says (it is your own "
        "configuration); redirects from it are not followed.",
    )
    model: str | None = Field(
        None, description="Model name sent to the endpoint; the brief's writer is `llm:<model>`."
    )
    api_key: SecretStr | None = Field(
        None,
        description="Sent as `Authorization: Bearer <key>` when set (local servers need none). "
        "Secret: never logged, printed or stored. Prefer the environment variable to the file.",
    )
    timeout_s: float = Field(
        120.0, gt=0, description="Most time one request may take (a local model can be slow)."
    )
    max_tokens: int = Field(1500, gt=0, description="Longest answer asked for, in tokens.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature (0: steadiest).")

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> LlmSettings:
        if self.enabled and not (self.base_url and self.model):
            raise ValueError("llm.enabled needs llm.base_url and llm.model")
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise ValueError("llm.base_url must be an http:// or https:// URL")
        if self.base_url and "@" in urlsplit(self.base_url).netloc:
            raise ValueError("llm.base_url must not carry credentials: set llm.api_key")
        return self


class WebSettings(_Section):
    host: str = Field("127.0.0.1", description="Address the site binds to.")
    port: int = Field(8765, ge=1, le=65535, description="Port of the site.")
    public_url: str | None = Field(
        None,
        description="Absolute URL of the site, for Atom links (default: from the request's Host, "
        "which the page cache keys on). Set it when the site is public.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        description="Host headers the site answers (others get 400), e.g. "
        '`["news.example.com", "127.0.0.1"]`; `*.example.com` matches subdomains. '
        '`["*"]`: any (fine on loopback; the page cache is keyed on the host either way).',
    )
    stream_poll_s: float = Field(
        2.0,
        gt=0,
        le=3600,
        description="How often the live stream checks the store for new briefs, seconds.",
    )
    page_cache_size: int = Field(
        512,
        ge=0,
        le=1_000_000,
        description="Responses (pages, API answers, feeds) cached in memory per worker.",
    )


class QueueSettings(_Section):
    broker_url: str | None = Field(
        None,
        description="Celery broker, e.g. `redis://127.0.0.1:6379/0`. Set: `tapewire run` "
        "enqueues each pass's stages as tasks for `tapewire worker` processes (use a PostgreSQL "
        "store). Unset (default): the pipeline runs in-process, no broker needed.",
    )
    result_backend: str | None = Field(
        None,
        description="Celery result backend, needed to join a stage's fan-out (default: the "
        "broker URL).",
    )
    visibility_timeout_s: int = Field(
        120,
        ge=5,
        description="A task taken by a worker that died (kill -9, power loss) is handed to "
        "another worker after this many seconds (Redis broker). Longer than the longest task.",
    )
    cycle_timeout_s: float = Field(
        1800.0, gt=0, description="Most time `run --once` waits for one queued pass, seconds."
    )
    resend_after_s: float = Field(
        60.0,
        gt=0,
        description="A queued pass still unfinished while its Redis broker has had nothing "
        "queued or running for this long is sent again (Redis can lose a task taken as its "
        "connection dropped; every task is idempotent). At most 3 times a pass.",
    )
    stage_tasks: int = Field(
        16,
        ge=1,
        description="Tasks each stage of a queued pass is split into: a task fetches a slice "
        "of the feeds or handles a slice of the instruments (at most 200). More tasks balance "
        "more workers; fewer pay Celery's per-task cost less often.",
    )
    stream_url: str | None = Field(
        None,
        description="Redis URL whose pub/sub carries live-stream events between processes "
        "(default: the broker URL when it is Redis). Lets `serve --workers N` share one stream.",
    )


class AlertsSettings(_Section):
    allow_private_targets: bool = Field(
        False,
        description="Allow webhook and SMTP targets on private, loopback, link-local or metadata "
        "addresses (off: such targets are refused at rule creation and at every connection).",
    )
    smtp_host: str | None = Field(None, description="SMTP server for email alerts (off: unset).")
    smtp_port: int = Field(587, description="SMTP port.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_user: str | None = Field(None, description="SMTP login (none: no AUTH).")
    smtp_password: SecretStr | None = Field(
        None, description="SMTP password. Secret: never logged, printed or stored."
    )
    smtp_from: str = Field("tapewire@localhost", description="From address of alert emails.")
    timeout_s: float = Field(10.0, gt=0, description="Most time one delivery may take, seconds.")
    max_attempts: int = Field(
        24,
        ge=1,
        description=(
            "Attempts before an alert's delivery is dead-lettered (the default retries for more "
            "than an hour: a target down for an hour still gets every alert)."
        ),
    )
    backoff_base_s: float = Field(
        2.0, gt=0, description="First retry delay; doubles per attempt, with full jitter."
    )
    backoff_cap_s: float = Field(600.0, gt=0, description="Longest retry delay, seconds.")
    per_target_concurrency: int = Field(
        4, ge=1, description="Deliveries in flight at once to one target host."
    )
    per_target_rate_per_s: float = Field(
        50.0, gt=0, description="Most deliveries started per second to one target host."
    )
    max_response_bytes: int = Field(
        65536, ge=0, description="Most of a target's answer read; the rest is dropped unread."
    )
    lease_s: float = Field(
        30.0,
        gt=0,
        description="A claimed delivery not finished in this time (a crashed dispatcher) is "
        "delivered again, with the same idempotency key.",
    )
    poll_s: float = Field(0.05, gt=0, description="How often the dispatcher checks the outbox.")
    batch: int = Field(500, ge=1, description="Outbox rows the dispatcher claims at once.")
    api_writes_per_minute: int = Field(
        60,
        ge=1,
        description="Most write calls (create, delete, test a rule) one API key may make per "
        "minute, per web process (a token bucket of this size refilled over a minute); beyond "
        "it the API answers 429 with Retry-After.",
    )


class DemoSettings(_Section):
    seed: int = Field(7, description="Seed of the simulated demo market.")
    port: int = Field(8765, ge=1, le=65535, description="Port the demo site is served on.")
    bar_days: int = Field(
        450,
        description="Calendar days of simulated bars (over a year: the one-year measures need it).",
    )
    news_days: int = Field(5, description="Days of simulated news before the demo's as_of.")
    history_days: int = Field(
        7,
        description="Days the demo runs the pipeline for, ending at its as_of (a week of "
        "briefs, signal events and Pulse history).",
    )


class Settings(BaseSettings):
    """Every setting tapewire reads. See docs/settings.md (generated from this class)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", toml_file=None
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the default SQLite database and runtime files live.",
    )
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    feeds: FeedsSettings = Field(default_factory=FeedsSettings)
    market: MarketSettings = Field(default_factory=MarketSettings)
    newsroom: NewsroomSettings = Field(default_factory=NewsroomSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    alerts: AlertsSettings = Field(default_factory=AlertsSettings)
    demo: DemoSettings = Field(default_factory=DemoSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags beat environment, environment beats the TOML file."""
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def database_url(self) -> str:
        """The store URL: ``db.url`` (a URL or a path) or the default SQLite file."""
        raw = self.db.url or str(self.data_dir / "tapewire.db")
        return raw if "://" in raw else f"sqlite:///{Path(raw).expanduser()}"


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the one settings object.

    Raises:
        ConfigError: the file is missing or a value is invalid (one line, names the key).
    """
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file not found: {config_file}")

    class _FileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=config_file)

    try:
        return _FileSettings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"invalid setting {where}: {message}") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read config {config_file}: {exc}") from None


@dataclass(frozen=True, slots=True)
class SettingDoc:
    key: str  # TOML dotted key
    env: str
    type: str
    default: str
    description: str


def describe_settings() -> Iterator[SettingDoc]:
    """Every setting with its env var, type, default and description (for docs/settings.md)."""
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, _Section):
            for sub, subfield in annotation.model_fields.items():
                yield _doc(f"{name}.{sub}", subfield)
        else:
            yield _doc(name, field)


def _doc(key: str, field: Any) -> SettingDoc:
    annotation = str(field.annotation).replace("typing.", "").replace("<class '", "")
    default = "(see description)" if field.default_factory else repr(field.default)
    if key == "data_dir":
        default = "$XDG_DATA_HOME/tapewire or ~/.local/share/tapewire"
    if key != "data_dir" and field.default_factory is not None:
        value = field.default_factory()
        default = repr(value) if isinstance(value, list) else default
    return SettingDoc(
        key=key,
        env=ENV_PREFIX + key.upper().replace(".", "__"),
        type=annotation.replace("'>", ""),
        default=default,
        description=field.description or "",
    )
