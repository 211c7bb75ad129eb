"""Alert rules: what to watch, when to fire, how often, where to send; validated at creation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tapewire.alerts.models import AlertRule
from tapewire.alerts.reads import RuleView as RuleView  # read through Core (issue #16)
from tapewire.alerts.reads import list_rules as list_rules
from tapewire.alerts.reads import mask_target as mask_target
from tapewire.alerts.reads import view_of as view_of
from tapewire.alerts.targets import (
    TargetError,
    check_email,
    check_webhook_url,
    resolve_target,
    webhook_address,
)
from tapewire.alerts.templates import DEFAULT_TEMPLATE, PRESETS, check_template
from tapewire.config import Settings
from tapewire.errors import ConfigError
from tapewire.market import queries as market_queries
from tapewire.store import Store

TRIGGERS = (
    "brief",  # a brief published: direction, min_threat, min_heat, kind
    "pulse_cross",  # Pulse crossing value, direction up|down|either
    "direction_change",  # Bullish/Neutral/Bearish changed
    "level_cross",  # a close through a key level: level kind, min_pct beyond it
    "move",  # a close-to-close move of at least pct % or atr ATRs
    "story_heat",  # a story about it reaching a Heat value (rising edge, per story)
    "keyword",  # a word in a linked headline
)
FREQUENCIES = ("once", "once_per_bar", "once_per_story", "cooldown")
CHANNELS = ("webhook", "email", "stream", "atom")
DIRECTIONS = ("Bullish", "Neutral", "Bearish")
BRIEF_KINDS = ("daily", "level_break", "direction_change", "heat")
LEVEL_KINDS = ("any", "support", "resistance", "round", "sma50", "sma200", "high52", "low52")


class RuleError(ConfigError):
    """A rule that cannot work: unknown symbol, impossible value, bad target or template."""


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule as asked for (CLI flags or the API's JSON)."""

    trigger: str
    channel: str
    target: str = ""
    scope: str = "all"  # all | watchlist | instrument:SYM | tag:NAME | theme:NAME
    name: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    frequency: str = "once_per_bar"
    cooldown_s: int | None = None
    expires_at: datetime | None = None
    template: str | None = None
    preset: str = "json"


def _number(params: dict[str, Any], key: str, low: float, high: float) -> float:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleError(f"{key} is required: a number from {low:g} to {high:g}")
    try:
        number = float(value)
    except ValueError:
        raise RuleError(f"{key} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise RuleError(f"{key} {number:g} is impossible: it must be from {low:g} to {high:g}")
    return number


def _choice(params: dict[str, Any], key: str, options: tuple[str, ...], default: str) -> str:
    value = str(params.get(key, default))
    if value not in options:
        raise RuleError(f"{key} {value!r} is not one of {', '.join(options)}")
    return value


def check_params(trigger: str, params: dict[str, Any]) -> dict[str, Any]:
    """The trigger's parameters, validated and normalised."""
    out: dict[str, Any] = {}
    if trigger == "brief":
        return _brief_params(params)
    if trigger == "pulse_cross":
        out["value"] = _number(params, "value", 0, 100)
        out["direction"] = _choice(params, "direction", ("up", "down", "either"), "either")
    elif trigger == "level_cross":
        out["level"] = _choice(params, "level", LEVEL_KINDS, "any")
        out["min_pct"] = _number({"min_pct": params.get("min_pct", 0)}, "min_pct", 0, 50)
    elif trigger == "move":
        if ("pct" in params) == ("atr" in params):
            raise RuleError("move needs exactly one of pct (percent) or atr (ATR multiples)")
        key = "pct" if "pct" in params else "atr"
        out[key] = _number(params, key, 0.01, 100 if key == "pct" else 20)
    elif trigger == "story_heat":
        out["value"] = _number(params, "value", 0, 100)
    elif trigger == "keyword":
        word = str(params.get("keyword", "")).strip()
        if not 2 <= len(word) <= 100:
            raise RuleError("keyword must be 2 to 100 characters")
        out["keyword"] = word
    return out


def _brief_params(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "direction" in params:
        out["direction"] = _choice(params, "direction", DIRECTIONS, "")
    if "kind" in params:
        out["kind"] = _choice(params, "kind", BRIEF_KINDS, "")
    if "min_threat" in params:
        out["min_threat"] = _number(params, "min_threat", 1, 5)
    if "min_heat" in params:
        out["min_heat"] = _number(params, "min_heat", 0, 100)
    return out


def _check_scope(store: Store, scope: str) -> str:
    kind, _, value = scope.partition(":")
    if scope in ("all", "watchlist"):
        return scope
    if kind == "instrument" and value:
        if market_queries.instrument(store, value) is None:
            raise RuleError(f"unknown symbol {value!r}: add its instrument first")
        return scope
    if kind in ("tag", "theme") and value.strip():
        return f"{kind}:{value.strip().lower()}"
    raise RuleError(
        f"scope {scope!r} is not all, watchlist, instrument:SYMBOL, tag:NAME or theme:NAME"
    )


def _check_target(settings: Settings, spec: RuleSpec) -> str:
    allow = settings.alerts.allow_private_targets
    if spec.channel == "webhook":
        url = check_webhook_url(spec.target)
        webhook_address(url, allow_private=allow)
        return url
    if spec.channel == "email":
        address = check_email(spec.target)
        if not settings.alerts.smtp_host:
            raise RuleError("email alerts need alerts.smtp_host")
        resolve_target(settings.alerts.smtp_host, settings.alerts.smtp_port, allow_private=allow)
        return address
    return ""


def validate_rule(store: Store, settings: Settings, spec: RuleSpec) -> RuleSpec:
    """The spec, normalised, or one clear RuleError."""
    if spec.trigger not in TRIGGERS:
        raise RuleError(f"unknown trigger {spec.trigger!r}: use {', '.join(TRIGGERS)}")
    if spec.channel not in CHANNELS:
        raise RuleError(f"unknown channel {spec.channel!r}: use {', '.join(CHANNELS)}")
    if spec.frequency not in FREQUENCIES:
        raise RuleError(f"unknown frequency {spec.frequency!r}: use {', '.join(FREQUENCIES)}")
    if spec.frequency == "cooldown" and not (spec.cooldown_s and spec.cooldown_s > 0):
        raise RuleError("frequency cooldown needs cooldown_s > 0 (seconds)")
    if spec.preset not in PRESETS:
        raise RuleError(f"unknown preset {spec.preset!r}: use {', '.join(PRESETS)}")
    if spec.expires_at is not None and spec.expires_at.tzinfo is None:
        raise RuleError("expires_at must carry a time zone (UTC)")
    try:
        target = _check_target(settings, spec)
        template = check_template(spec.template) if spec.template else None
    except (TargetError, ConfigError) as exc:
        raise RuleError(str(exc)) from None
    return RuleSpec(
        trigger=spec.trigger,
        channel=spec.channel,
        target=target,
        scope=_check_scope(store, spec.scope),
        name=(spec.name or f"{spec.trigger} on {spec.scope}")[:255],
        params=check_params(spec.trigger, dict(spec.params)),
        frequency=spec.frequency,
        cooldown_s=spec.cooldown_s if spec.frequency == "cooldown" else None,
        expires_at=spec.expires_at,
        template=template,
        preset=spec.preset,
    )


def add_rule(
    store: Store, settings: Settings, spec: RuleSpec, *, api_key_id: int | None, now: datetime
) -> RuleView:
    """Validate and store a rule (with a fresh signing secret for webhooks)."""
    spec = validate_rule(store, settings, spec)
    if spec.expires_at is not None and spec.expires_at <= now:
        raise RuleError("expires_at is in the past")
    with store.write() as s:
        row = AlertRule(
            name=spec.name,
            channel=spec.channel,
            target=spec.target,
            criteria={"scope": spec.scope, "params": spec.params, "preset": spec.preset},
            active=True,
            created_at=now,
            api_key_id=api_key_id,
            trigger=spec.trigger,
            frequency=spec.frequency,
            cooldown_s=spec.cooldown_s,
            expires_at=spec.expires_at,
            template=spec.template,
            secret=secrets.token_hex(32),  # signs webhooks; keys the Atom feed URL
            state={},
        )
        s.add(row)
        s.flush()
        return view_of(row)


def rule_secret(store: Store, rule_id: int, *, api_key_id: int | None) -> str | None:
    """A webhook rule's signing secret, for its owner only (shown once at creation)."""
    with store.read() as s:
        row = s.get(AlertRule, rule_id)
        if row is None or (api_key_id is not None and row.api_key_id != api_key_id):
            return None
        return row.secret


def get_rule(store: Store, rule_id: int, *, api_key_id: int | None = None) -> RuleView | None:
    with store.read() as s:
        row = s.get(AlertRule, rule_id)
        if row is None or (api_key_id is not None and row.api_key_id != api_key_id):
            return None
        return view_of(row)


def remove_rule(store: Store, rule_id: int, *, api_key_id: int | None = None) -> bool:
    """Delete a rule (its alerts and pending deliveries go with it); False if not found."""
    with store.write() as s:
        row = s.get(AlertRule, rule_id)
        if row is None or (api_key_id is not None and row.api_key_id != api_key_id):
            return False
        s.delete(row)
        return True


DEFAULT = DEFAULT_TEMPLATE
