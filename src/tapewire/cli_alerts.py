"""CLI: ``tapewire keys ...`` and ``tapewire alerts add|list|test|rm|log|dispatch``."""

from __future__ import annotations

import json
import signal
import threading
from datetime import datetime
from typing import Any

import click

from tapewire.alerts.templates import PRESETS
from tapewire.cli import cli, common, emit, fmt_option, open_store, settings_from
from tapewire.errors import ConfigError

# The choices of `alerts add`, spelled here so that `import tapewire.cli` stays free of
# SQLAlchemy (issue #16); tests/cli/test_startup.py holds them equal to alerts.rules'.
TRIGGERS = (
    "brief",  # a brief published: direction, min_threat, min_heat, kind
    "pulse_cross",  # Pulse crossing value, direction up|down|either
    "direction_change",  # Bullish/Neutral/Bearish changed
    "level_cross",  # a close through a key level: level kind, min_pct beyond it
    "move",  # a close-to-close move of at least pct % or atr ATRs
    "story_heat",  # Heat reaching value (rising edge)
    "keyword",  # a word in a linked headline
)
FREQUENCIES = ("once", "once_per_bar", "once_per_story", "cooldown")


@click.group()
def keys() -> None:
    """API keys: printed once, stored as a salted hash."""


@keys.command("create")
@common
@fmt_option
@click.option("--name", default="key", show_default=True, help="A label for the key.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(["read", "alerts:write", "admin"]),
    help="A scope (repeat for several).",
)
@click.pass_context
def keys_create(ctx: click.Context, fmt: str, name: str, scopes: tuple[str, ...]) -> None:
    """Create a key and print it once (it cannot be shown again)."""
    from tapewire.alerts.keys import create_key
    from tapewire.clock import SystemClock

    store = open_store(settings_from(ctx))
    try:
        with store.write() as s:
            view, text = create_key(s, name=name, scopes=list(scopes), now=SystemClock().now())
    finally:
        store.close()
    data = {"id": view.id, "name": view.name, "scopes": list(view.scopes), "key": text}
    emit(fmt, data, lambda d: f"key {d['id']} ({', '.join(d['scopes'])}): {d['key']}\n"
         "store it now: only a salted hash is kept")  # fmt: skip


@keys.command("list")
@common
@fmt_option
@click.pass_context
def keys_list(ctx: click.Context, fmt: str) -> None:
    """Keys (ids, names, scopes, state; never the key)."""
    from tapewire.alerts.reads import list_keys  # Core: no ORM to load (issue #16)

    store = open_store(settings_from(ctx))
    try:
        rows = [_key_dict(v) for v in list_keys(store)]
    finally:
        store.close()
    emit(fmt, rows, lambda rs: "\n".join(
        f"{r['id']:>4}  {r['name']:<20} {','.join(r['scopes']):<24} "
        f"{'revoked' if r['revoked_at'] else 'live'}" for r in rs) or "no keys")  # fmt: skip


@keys.command("rotate")
@common
@fmt_option
@click.argument("key_id", type=int)
@click.pass_context
def keys_rotate(ctx: click.Context, fmt: str, key_id: int) -> None:
    """A new secret for a key; the old one stops working at once."""
    from tapewire.alerts.keys import rotate_key

    store = open_store(settings_from(ctx))
    try:
        with store.write() as s:
            view, text = rotate_key(s, key_id)
    finally:
        store.close()
    emit(fmt, {"id": view.id, "key": text}, lambda d: f"key {d['id']} rotated: {d['key']}")


@keys.command("revoke")
@common
@fmt_option
@click.argument("key_id", type=int)
@click.pass_context
def keys_revoke(ctx: click.Context, fmt: str, key_id: int) -> None:
    """Revoke a key: its requests are refused from now on."""
    from tapewire.alerts.keys import revoke_key
    from tapewire.clock import SystemClock

    store = open_store(settings_from(ctx))
    try:
        with store.write() as s:
            view = revoke_key(s, key_id, now=SystemClock().now())
    finally:
        store.close()
    emit(fmt, _key_dict(view), lambda d: f"key {d['id']} revoked")


def _key_dict(view: Any) -> dict[str, Any]:
    return {
        "id": view.id,
        "name": view.name,
        "scopes": list(view.scopes),
        "created_at": view.created_at,
        "revoked_at": view.revoked_at,
        "last_used_at": view.last_used_at,
    }


@click.group()
def alerts() -> None:
    """Alert rules, test alerts, the delivery log and the dispatcher."""


def _params(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--param")
        out[key.strip()] = value.strip()
    return out


@alerts.command("add")
@common
@fmt_option
@click.option("--trigger", required=True, type=click.Choice(TRIGGERS), help="What fires it.")
@click.option(
    "--channel",
    required=True,
    type=click.Choice(["webhook", "email", "stream", "atom"]),
    help="Where it goes.",
)
@click.option("--target", default="", help="Webhook URL or email address.")
@click.option(
    "--scope",
    default="all",
    show_default=True,
    help="all, watchlist, instrument:SYMBOL, tag:NAME or theme:NAME.",
)
@click.option("--param", "params", multiple=True, help="Trigger parameter KEY=VALUE (repeat).")
@click.option("--frequency", type=click.Choice(FREQUENCIES), default="once_per_bar")
@click.option("--cooldown", "cooldown_s", type=int, help="Seconds (with --frequency cooldown).")
@click.option("--expires", help="Expiry, ISO time or YYYY-MM-DD (UTC).")
@click.option("--template", help="Message with {{placeholders}} ({{symbol}}, {{headline}}, ...).")
@click.option("--preset", type=click.Choice(PRESETS), default="json", show_default=True)
@click.option("--name", default="", help="A label for the rule.")
@click.option("--key", "key_text", envvar="TAPEWIRE_API_KEY", help="Owner key (alerts:write).")
@click.pass_context
def alerts_add(ctx: click.Context, /, fmt: str, key_text: str | None, **kw: Any) -> None:
    """Add a rule; it is checked first (symbol, values, target, template)."""
    from tapewire.alerts import queries as alerts_queries
    from tapewire.alerts.rules import RuleSpec
    from tapewire.clock import SystemClock

    settings = settings_from(ctx)
    store = open_store(settings)
    now = SystemClock().now()
    try:
        key_id = None
        if key_text:
            key_id = alerts_queries.check_key(store, key_text, scope="alerts:write", now=now).id
        spec = RuleSpec(
            trigger=kw["trigger"],
            channel=kw["channel"],
            target=kw["target"],
            scope=kw["scope"],
            name=kw["name"],
            params=_params(kw["params"]),
            frequency=kw["frequency"],
            cooldown_s=kw["cooldown_s"],
            expires_at=_expiry(kw["expires"]),
            template=kw["template"],
            preset=kw["preset"],
        )
        rule = alerts_queries.add_rule(store, settings, spec, api_key_id=key_id, now=now)
        secret = alerts_queries.rule_secret(store, rule.id, api_key_id=None)
    finally:
        store.close()
    data = {
        **rule.public(full=True),  # the only time the target is shown in full
        "signing_secret": secret if rule.channel == "webhook" else None,
    }
    emit(fmt, data, _rule_added_text)


def _rule_added_text(d: dict[str, Any]) -> str:
    line = f"rule {d['id']} added: {d['trigger']} on {d['scope']} -> {d['channel']} {d['target']}"
    if d.get("signing_secret"):
        line += f"\nwebhook signing secret (shown once): {d['signing_secret']}"
    return line


def _expiry(text: str | None) -> datetime | None:
    from tapewire.clock import parse_as_of

    if not text:
        return None
    try:
        return parse_as_of(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date or ISO time", param_hint="--expires"
        ) from None


@alerts.command("list")
@common
@fmt_option
@click.pass_context
def alerts_list(ctx: click.Context, fmt: str) -> None:
    """Every rule (never its signing secret; targets masked: scheme, host, last 4 characters)."""
    from tapewire.alerts import reads as alerts_queries  # Core: no ORM to load (issue #16)

    store = open_store(settings_from(ctx))
    try:
        rows = [r.public() for r in alerts_queries.list_rules(store)]
    finally:
        store.close()
    emit(fmt, rows, lambda rs: "\n".join(
        f"{r['id']:>4}  {'on ' if r['active'] else 'off'}  {r['trigger']:<16} {r['scope']:<20} "
        f"{r['frequency']:<14} {r['channel']:<8} {r['target']}" for r in rs) or "no rules")  # fmt: skip


@alerts.command("rm")
@common
@click.argument("rule_id", type=int)
@click.pass_context
def alerts_rm(ctx: click.Context, rule_id: int) -> None:
    """Delete a rule (its pending deliveries go with it)."""
    from tapewire.alerts import queries as alerts_queries

    store = open_store(settings_from(ctx))
    try:
        if not alerts_queries.remove_rule(store, rule_id):
            raise ConfigError(f"no rule with id {rule_id}")
    finally:
        store.close()
    click.echo(f"rule {rule_id} removed")


@alerts.command("test")
@common
@fmt_option
@click.argument("rule_id", type=int)
@click.pass_context
def alerts_test(ctx: click.Context, fmt: str, rule_id: int) -> None:
    """Send a test alert through the rule's channel now and show the delivery."""
    from tapewire.alerts import queries as alerts_queries
    from tapewire.alerts.dispatch import Dispatcher
    from tapewire.clock import SystemClock

    settings = settings_from(ctx)
    store = open_store(settings)
    try:
        alert_id = alerts_queries.queue_test(store, rule_id, now=SystemClock().now())
        Dispatcher(store, settings.alerts).run(threading.Event(), until_idle=True)
        rows = [d.public() for d in alerts_queries.deliveries(store, rule_ids=[rule_id], limit=5)]
        row = next((r for r in rows if r["alert_id"] == alert_id), None)
    finally:
        store.close()
    emit(fmt, row, lambda r: "test alert queued (stream/atom rule: read it there)" if r is None
         else f"test alert {r['status']}: HTTP {r['last_status']} in {r['latency_ms']} ms"
         + (f"; {r['last_error']}" if r["last_error"] else ""))  # fmt: skip


@alerts.command("log")
@common
@fmt_option
@click.option("--rule", "rule_id", type=int, help="Only this rule's deliveries.")
@click.option("--dead", is_flag=True, help="Only dead-lettered deliveries.")
@click.option("--limit", type=int, default=30, show_default=True)
@click.pass_context
def alerts_log(ctx: click.Context, fmt: str, rule_id: int | None, dead: bool, limit: int) -> None:
    """The delivery log: attempts, status, latency, last error (dead letters too)."""
    from tapewire.alerts import queries as alerts_queries

    store = open_store(settings_from(ctx))
    try:
        rows = alerts_queries.deliveries(
            store,
            rule_ids=[rule_id] if rule_id is not None else None,
            status="dead" if dead else None,
            limit=limit,
        )
    finally:
        store.close()
    emit(fmt, [r.public() for r in rows], lambda rs: "\n".join(
        f"{r['outbox_id']:>6}  rule {r['rule_id']:<4} {r['status']:<10} attempts {r['attempts']:<2} "
        f"HTTP {r['last_status'] or '-':<4} {r['latency_ms'] or 0:>8.1f} ms  {r['last_error'] or ''}"
        for r in rs) or "no deliveries")  # fmt: skip


@alerts.command("dispatch")
@common
@click.option(
    "--until-idle",
    is_flag=True,
    help="Exit once nothing is due or in flight (waiting up to alerts.lease_s for a lease a dead dispatcher held, or a retry, to fall due).",
)
@click.pass_context
def alerts_dispatch(ctx: click.Context, until_idle: bool) -> None:
    """Run the dispatcher in the foreground (Ctrl-C or SIGTERM stops it)."""
    from tapewire.alerts.dispatch import Dispatcher

    settings = settings_from(ctx)
    store = open_store(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stats = Dispatcher(store, settings.alerts).run(stop, until_idle=until_idle)
    except KeyboardInterrupt:
        stats = None
    finally:
        store.close()
    if stats is not None:
        click.echo(
            json.dumps({"delivered": stats.delivered, "failed": stats.failed, "dead": stats.dead})
        )


cli.add_command(keys)
cli.add_command(alerts)
