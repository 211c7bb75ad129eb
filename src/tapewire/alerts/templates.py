"""Message templates: ``{{placeholder}}`` text, checked at rule creation, rendered per alert."""

from __future__ import annotations

import json
import re
from typing import Any

from tapewire.errors import ConfigError

PLACEHOLDERS = (
    "rule",
    "event",
    "symbol",
    "pulse",
    "direction",
    "heat",
    "threat",
    "headline",
    "dek",
    "outlet",
    "url",
    "close",
    "change_pct",
    "level",
    "keyword",
    "time",
    "idempotency_key",
)
PRESETS = ("json", "slack", "discord", "teams", "ntfy")
DEFAULT_TEMPLATE = "tapewire {{event}}: {{symbol}} {{headline}} {{url}}"
_TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
MAX_TEMPLATE = 2000


class TemplateError(ConfigError):
    """A template with an unknown placeholder or a broken brace."""


def check_template(template: str) -> str:
    """The template, validated: every ``{{name}}`` is known and braces are balanced."""
    if len(template) > MAX_TEMPLATE:
        raise TemplateError(f"template is {len(template)} characters; the most is {MAX_TEMPLATE}")
    for name in _TOKEN.findall(template):
        if name not in PLACEHOLDERS:
            raise TemplateError(
                f"unknown placeholder {{{{{name}}}}} in template; use {', '.join(PLACEHOLDERS)}"
            )
    rest = _TOKEN.sub("", template)
    if "{{" in rest or "}}" in rest:
        raise TemplateError("unbalanced {{ or }} in template")
    return template


def render_text(template: str, values: dict[str, Any]) -> str:
    """The message: placeholders replaced by their values (missing ones by "")."""

    def one(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if isinstance(value, float):
            return f"{value:.2f}".rstrip("0").rstrip(".")
        return "" if value is None else str(value)

    return " ".join(_TOKEN.sub(one, template).split())


def render_body(preset: str, message: str, values: dict[str, Any]) -> tuple[str, str]:
    """(content type, body) of a webhook for a preset: Slack/Teams ``text``, Discord
    ``content``, ntfy plain text, or our JSON with every value."""
    if preset == "ntfy":
        return "text/plain; charset=utf-8", message
    if preset in ("slack", "teams"):
        doc: dict[str, Any] = {"text": message}
    elif preset == "discord":
        doc = {"content": message[:2000]}
    else:
        doc = {"message": message, **values}
    return "application/json", json.dumps(doc, separators=(",", ":"), default=str)
