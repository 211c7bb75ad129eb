"""The alert rules' Core reads, without the ORM: ``tapewire alerts list`` loads no
``sqlalchemy.orm`` (CLI start-up, issue #16). ``alerts.rules`` re-exports them; the view of a
rule is made here from a mapped row or a Core row alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import JSON, Boolean, Integer, String, Text, column, select

from tapewire.store import Store
from tapewire.store.light import light_table
from tapewire.store.types import UTCDateTime

_key = light_table(
    "api_key",
    column("id", Integer()),
    column("name", String()),
    column("prefix", String()),
    column("scopes", JSON()),
    column("created_at", UTCDateTime()),
    column("revoked_at", UTCDateTime()),
    column("last_used_at", UTCDateTime()),
)
_rule = light_table(
    "alert_rule",
    column("id", Integer()),
    column("name", String()),
    column("api_key_id", Integer()),
    column("criteria", JSON()),
    column("trigger", String()),
    column("frequency", String()),
    column("cooldown_s", Integer()),
    column("expires_at", UTCDateTime()),
    column("channel", String()),
    column("target", String()),
    column("template", Text()),
    column("active", Boolean()),
    column("created_at", UTCDateTime()),
    column("last_fired_at", UTCDateTime()),
)


@dataclass(frozen=True, slots=True)
class RuleView:
    id: int
    name: str
    api_key_id: int | None
    scope: str
    trigger: str
    params: dict[str, Any]
    frequency: str
    cooldown_s: int | None
    expires_at: datetime | None
    channel: str
    target: str
    preset: str
    template: str | None
    active: bool
    created_at: datetime
    last_fired_at: datetime | None

    @property
    def masked_target(self) -> str:
        """The target as lists show it (a webhook URL is itself a secret): ``mask_target``."""
        return mask_target(self.target)

    def public(self, *, full: bool = False) -> dict[str, Any]:
        """The rule as the API and CLI show it (never the signing secret); the target masked
        unless ``full`` (at creation only)."""
        return {
            "id": self.id,
            "name": self.name,
            "scope": self.scope,
            "trigger": self.trigger,
            "params": self.params,
            "frequency": self.frequency,
            "cooldown_s": self.cooldown_s,
            "expires_at": self.expires_at,
            "channel": self.channel,
            "target": self.target if full else self.masked_target,
            "preset": self.preset,
            "template": self.template,
            "active": self.active,
            "created_at": self.created_at,
            "last_fired_at": self.last_fired_at,
        }


def mask_target(target: str) -> str:
    """``https://hooks.slack.com/…WXYZ``: a URL's scheme and host (and port) and its last 4
    characters; an email address's domain and the last 4 characters of its local part."""
    if not target:
        return ""
    if "://" in target:
        parts = urlsplit(target)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        rest = target.split("://", 1)[1][len(parts.netloc) :]
        tail = rest[-4:] if len(rest) > 8 else ""
        return f"{parts.scheme}://{host}{port}/…{tail}"
    local, at, domain = target.rpartition("@")
    if at:
        return f"…{local[-4:] if len(local) > 8 else ''}@{domain}"
    return f"…{target[-4:]}" if len(target) > 8 else "…"


def list_rules(store: Store, *, api_key_id: int | None = None) -> list[RuleView]:
    """Every rule (of the key ``api_key_id`` when given), by id."""
    query = select(*_rule.c).order_by(_rule.c.id)
    if api_key_id is not None:
        query = query.where(_rule.c.api_key_id == api_key_id)
    with store.connect() as c:
        return [view_of(r) for r in c.execute(query)]


def view_of(row: Any) -> RuleView:
    """A rule's view from its row: a mapped ``AlertRule`` or a Core row of ``_rule``'s columns
    (both read by attribute)."""
    criteria = dict(row.criteria or {})
    return RuleView(
        id=row.id,
        name=row.name,
        api_key_id=row.api_key_id,
        scope=str(criteria.get("scope", "all")),
        trigger=row.trigger,
        params=dict(criteria.get("params") or {}),
        frequency=row.frequency,
        cooldown_s=row.cooldown_s,
        expires_at=row.expires_at,
        channel=row.channel,
        target=row.target,
        preset=str(criteria.get("preset", "json")),
        template=row.template,
        active=row.active,
        created_at=row.created_at,
        last_fired_at=row.last_fired_at,
    )


SCOPES = ("read", "alerts:write", "admin")
_IMPLIES = {"admin": set(SCOPES), "alerts:write": {"read", "alerts:write"}, "read": {"read"}}


@dataclass(frozen=True, slots=True)
class KeyView:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    def allows(self, scope: str) -> bool:
        return any(scope in _IMPLIES.get(have, set()) for have in self.scopes)


def list_keys(store: Store) -> list[KeyView]:
    """Every API key's view (never its hash), by id: ``tapewire keys list``."""
    with store.connect() as c:
        return [key_view(r) for r in c.execute(select(*_key.c).order_by(_key.c.id))]


def key_view(row: Any) -> KeyView:
    """A key's view from its row: a mapped ``ApiKey`` or a Core row of ``_key``'s columns."""
    return KeyView(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(row.scopes),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
