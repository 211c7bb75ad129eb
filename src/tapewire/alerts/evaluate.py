"""Evaluation: an event (brief published, signal computed, bar closed, headline linked) is
matched against the active rules inside the transaction that stores the event, so the alert and
its outbox rows commit or roll back with it.

Stages call ``ctx.emit(session, kind, data)`` (one line each); ``RunContext`` hands the call to
``evaluate_event`` here.
"""

from __future__ import annotations

import html
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tapewire.alerts.models import Alert, AlertRule, Outbox
from tapewire.alerts.rules import RuleView, view_of
from tapewire.alerts.templates import DEFAULT_TEMPLATE, render_body, render_text

log = logging.getLogger(__name__)

EVENT_TRIGGERS = {
    "brief": ("brief", "keyword"),
    "signal": ("pulse_cross", "direction_change"),
    "story_heat": ("story_heat",),  # one story about the instrument (signals stage)
    "bar": ("level_cross", "move"),
    "item_linked": ("keyword",),  # a news item newly linked to an instrument (enrich stage)
    "headline": ("keyword",),
}
STORY_STATE_MAX = 500  # per rule: the stories whose last Heat it remembers (newest kept)
OUTBOX_CHANNELS = ("webhook", "email")


def evaluate_event(
    s: Session,
    kind: str,
    data: dict[str, Any],
    *,
    now: datetime,
    watchlist: list[str] | tuple[str, ...] = (),
    public_url: str | None = None,
) -> int:
    """Fire every matching rule for one event; returns the alerts written."""
    triggers = EVENT_TRIGGERS.get(kind, ())
    if not triggers or not _any_rule(s, triggers):
        return 0
    # Scope is checked on three columns first: only in-scope rules are loaded as ORM rows.
    # Both are kept for the transaction (``session.info``; rows in its identity map), so a
    # stage emitting thousands of events reads the rules once.
    cache: dict[tuple[str, ...], list[Any]] = s.info.setdefault("tw_alert_rules", {})
    candidates = cache.get(triggers)
    if candidates is None:
        candidates = cache[triggers] = list(
            s.execute(
                select(AlertRule.id, AlertRule.criteria, AlertRule.expires_at).where(
                    AlertRule.active.is_(True), AlertRule.trigger.in_(triggers)
                )
            ).all()
        )
    expired = [rule_id for rule_id, _, exp in candidates if exp is not None and exp <= now]
    if expired:
        s.execute(update(AlertRule).where(AlertRule.id.in_(expired)).values(active=False))
        candidates[:] = [c for c in candidates if c[0] not in set(expired)]
    ids = [
        rule_id
        for rule_id, criteria, _ in candidates
        if in_scope(str((criteria or {}).get("scope", "all")), data, watchlist)
    ]
    if not ids:
        return 0
    held: dict[int, AlertRule] = s.info.setdefault("tw_alert_rows", {})  # strong references
    missing = [i for i in ids if i not in held]
    if missing:  # one query for the rules not loaded yet in this transaction
        held.update(
            (r.id, r) for r in s.scalars(select(AlertRule).where(AlertRule.id.in_(missing)))
        )
    loaded = [held.get(i) for i in sorted(ids)]
    rows = [r for r in loaded if r is not None and r.active]  # a `once` rule spent meanwhile
    firing = []
    for row in rows:
        rule = view_of(row)
        match = _match(row, rule, data)
        cooldown = timedelta(seconds=rule.cooldown_s or 0)
        cooling = rule.frequency == "cooldown" and row.last_fired_at is not None
        if match is None or (cooling and now < row.last_fired_at + cooldown):  # type: ignore[operator]
            continue
        merged = {**data, **match}
        firing.append((row, rule, merged, _dedupe_key(rule, merged)))
    keys = [key for *_, key in firing if key is not None]
    seen = (
        set(s.scalars(select(Alert.dedupe_key).where(Alert.dedupe_key.in_(keys))))
        if keys
        else set()
    )
    firing = [f for f in firing if f[3] is None or f[3] not in seen]
    _fire(s, kind, firing, now=now, public_url=public_url)
    return len(firing)


def active_triggers(store: Any) -> set[str]:
    """The triggers of the active rules (``RunContext.emit`` reads them once per run)."""
    with store.read() as s:
        rows = s.execute(select(AlertRule.trigger).where(AlertRule.active.is_(True)).distinct())
        return {str(t) for (t,) in rows}


def _any_rule(s: Session, triggers: tuple[str, ...]) -> bool:
    """Whether any active rule has one of ``triggers``; read once per transaction (kept in
    ``session.info``), so a pass emitting thousands of events with no such rule costs a set
    lookup each. Rules created meanwhile apply from the next transaction."""
    active = s.info.get("tw_alert_triggers")
    if active is None:
        rows = s.execute(select(AlertRule.trigger).where(AlertRule.active.is_(True)).distinct())
        active = s.info["tw_alert_triggers"] = {str(t) for (t,) in rows}
    return any(t in active for t in triggers)


def in_scope(scope: str, data: dict[str, Any], watchlist: list[str] | tuple[str, ...]) -> bool:
    kind, _, value = scope.partition(":")
    symbol = data.get("symbol")
    if scope == "all":
        return True
    if scope == "watchlist":
        return not watchlist or symbol in watchlist
    if kind == "instrument":
        return bool(symbol == value)
    if kind == "tag":
        return value in [str(t).lower() for t in data.get("tags", ())]
    if kind == "theme":
        return value in [str(t).lower() for t in data.get("themes", ())]
    return False


def _match(row: AlertRule, rule: RuleView, data: dict[str, Any]) -> dict[str, Any] | None:
    """The extra values of a firing rule, or None when it does not fire."""
    p = rule.params
    symbol = str(data.get("symbol", ""))
    if rule.trigger == "brief":
        return _match_brief(p, data)
    if rule.trigger == "story_heat":
        story = data.get("story_id")
        heat = data.get("heat")
        if story is None or heat is None:
            return None
        key = f"{symbol}:{story}"
        previous = _remember(row, "story_heat", key, heat, keep=STORY_STATE_MAX)
        # a story not seen before rises from nothing: it fires when it first appears hot
        return _crossed(float(previous or 0.0), float(heat), {**p, "direction": "up"})
    if rule.trigger in ("pulse_cross", "direction_change"):
        field = {"pulse_cross": "pulse", "direction_change": "direction"}
        key = field[rule.trigger]
        previous = _remember(row, key, symbol, data.get(key))
        now_value = data.get(key)
        if previous is None or now_value is None:
            return None
        if rule.trigger == "direction_change":
            return {} if previous != now_value else None
        return _crossed(float(previous), float(now_value), p)
    if rule.trigger == "move":
        return _match_move(p, data)
    if rule.trigger == "level_cross":
        return _match_level(p, data)
    if rule.trigger == "keyword":
        text = str(data.get("headline_text") or data.get("headline", ""))
        return {"keyword": p["keyword"]} if p["keyword"].lower() in text.lower() else None
    return None


def _match_brief(p: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
    if "direction" in p and data.get("direction") != p["direction"]:
        return None
    if "kind" in p and data.get("trigger") != p["kind"]:
        return None
    if "min_threat" in p and float(data.get("threat") or 0) < p["min_threat"]:
        return None
    if "min_heat" in p and float(data.get("heat") or 0) < p["min_heat"]:
        return None
    return {}


def _crossed(previous: float, value: float, p: dict[str, Any]) -> dict[str, Any] | None:
    line, way = float(p["value"]), p.get("direction", "up")
    up = previous < line <= value
    down = previous > line >= value
    if (up and way in ("up", "either")) or (down and way in ("down", "either")):
        return {"level": line}
    return None


def _match_move(p: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
    close, prev = data.get("close"), data.get("prev_close")
    if close is None or not prev:
        return None
    if "pct" in p:
        return {} if abs(close / prev - 1.0) * 100.0 >= p["pct"] else None
    atr = data.get("atr")
    return {} if atr and abs(close - prev) / atr >= p["atr"] else None


def _match_level(p: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
    close, prev = data.get("close"), data.get("prev_close")
    if close is None or prev is None:
        return None
    for kind, price in data.get("levels", ()):
        if p["level"] not in ("any", kind) or not price:
            continue
        beyond = abs(close / price - 1.0) * 100.0
        through = (prev < price <= close) or (prev > price >= close)
        if through and beyond >= p["min_pct"]:
            return {"level": price, "level_kind": kind}
    return None


def _remember(row: AlertRule, key: str, symbol: str, value: Any, *, keep: int = 0) -> Any:
    """The value this rule last saw for (key, symbol); stores the new one (with ``keep``, only
    the ``keep`` most recently seen symbols are remembered)."""
    state = dict(row.state or {})
    seen = dict(state.get(key) or {})  # type: ignore[call-overload]
    previous = seen.get(symbol)
    if value is not None:
        seen.pop(symbol, None)
        seen[symbol] = value
        if keep and len(seen) > keep:
            seen = dict(list(seen.items())[-keep:])
        state[key] = seen
        row.state = state
    return previous


def _dedupe_key(rule: RuleView, data: dict[str, Any]) -> str | None:
    symbol = data.get("symbol", "")
    if rule.frequency == "once":
        return f"{rule.id}:once"
    if rule.frequency == "once_per_bar":
        return f"{rule.id}:bar:{symbol}:{data.get('bar') or data.get('as_of', '')}"
    if rule.frequency == "once_per_story":
        story = data.get("story_id")
        return (
            f"{rule.id}:story:{story}" if story is not None else f"{rule.id}:event:{uuid.uuid4()}"
        )
    return None


def _fire(
    s: Session,
    kind: str,
    firing: list[tuple[AlertRule, RuleView, dict[str, Any], str | None]],
    *,
    now: datetime,
    public_url: str | None,
) -> None:
    """The alerts (one flush for all), then their outbox rows."""
    alerts = []
    for row, rule, data, dedupe in firing:
        values = _values(rule, kind, data, now=now, public_url=public_url)
        alert = Alert(
            rule_id=row.id,
            brief_id=data.get("brief_id"),
            created_at=now,
            event=kind,
            symbol=data.get("symbol"),
            dedupe_key=dedupe,
            idempotency_key=values["idempotency_key"],
            data=values,
        )
        alerts.append((alert, rule, values))
        row.last_fired_at = now
        if rule.frequency == "once":
            row.active = False
    s.add_all(a for a, _, _ in alerts)
    s.flush()
    for alert, rule, values in alerts:
        _queue(s, rule, alert.id, values, now=now)


def _queue(
    s: Session, rule: RuleView, alert_id: int, values: dict[str, Any], *, now: datetime
) -> None:
    """The outbox row of a webhook or email alert (stream and Atom rules read the alert)."""
    if rule.channel in OUTBOX_CHANNELS:
        s.add(
            Outbox(
                alert_id=alert_id,
                rule_id=rule.id,
                channel=rule.channel,
                target=rule.target,
                payload=_payload(rule, values),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


def _values(
    rule: RuleView, kind: str, data: dict[str, Any], *, now: datetime, public_url: str | None
) -> dict[str, Any]:
    slug = data.get("slug")
    base = (public_url or "").rstrip("/")
    url = f"{base}/briefs/{slug}" if slug else data.get("url") or ""
    keep = ("symbol", "pulse", "direction", "heat", "threat", "headline", "dek", "outlet")
    values: dict[str, Any] = {k: data.get(k) for k in keep}
    values |= {
        "rule": rule.name,
        "rule_id": rule.id,
        "event": kind,
        "url": url,
        "close": data.get("close"),
        "change_pct": data.get("change_pct"),
        "level": data.get("level"),
        "keyword": data.get("keyword"),
        "story_id": data.get("story_id"),
        "time": now.isoformat(),
        "idempotency_key": f"tw-{uuid.uuid4().hex}",
    }
    return {k: v for k, v in values.items() if v is not None}


def _payload(rule: RuleView, values: dict[str, Any]) -> dict[str, object]:
    message = render_text(rule.template or DEFAULT_TEMPLATE, values)
    if rule.channel == "email":
        subject = f"tapewire alert: {values.get('symbol', '')} {rule.name}".strip()
        link = values.get("url", "")
        body_html = (
            f"<p>{html.escape(message)}</p>"
            + (f'<p><a href="{html.escape(link)}">Read the brief</a></p>' if link else "")
            + f"<p><small>{html.escape(rule.name)}</small></p>"
        )
        return {"subject": subject[:200], "text": message, "html": body_html}
    content_type, body = render_body(rule.preset, message, values)
    return {"content_type": content_type, "body": body}


def queue_test_alert(s: Session, row: AlertRule, *, now: datetime) -> int:
    """A test alert for ``row`` (event ``test``), queued like a real one; returns its id."""
    rule = view_of(row)
    data = {"symbol": "TEST", "headline": f"Test alert for rule {rule.name}", "url": ""}
    values = _values(rule, "test", data, now=now, public_url=None)
    alert = Alert(
        rule_id=row.id,
        created_at=now,
        event="test",
        symbol="TEST",
        idempotency_key=values["idempotency_key"],
        data=values,
    )
    s.add(alert)
    s.flush()
    _queue(s, rule, alert.id, values, now=now)
    return alert.id


def evaluate_in_run(ctx: Any, s: Session, kind: str, data: dict[str, Any]) -> None:
    """The ``RunContext.emit`` hook: evaluate with the run's clock and settings."""
    evaluate_event(
        s,
        kind,
        event_data(data),
        now=ctx.clock.now(),
        watchlist=ctx.settings.newsroom.watchlist,
        public_url=ctx.settings.web.public_url,
    )


def event_data(data: dict[str, Any]) -> dict[str, Any]:
    """The flat values of an event from what a stage passed (its row or value object, read by
    attribute: alerts imports no other stage's models)."""
    out = {k: v for k, v in data.items() if k not in ("row", "signals", "snapshot")}
    if (row := data.get("row")) is not None:  # newsroom: the Brief row
        fields = ("slug", "headline", "dek", "direction", "pulse", "heat", "threat", "trigger")
        out |= {f: getattr(row, f, None) for f in fields}
        out |= {"brief_id": row.id, "tags": list(row.tags or ()), "bar": row.as_of.date()}
        titles = [str(src.get("title", "")) for src in row.sources or () if isinstance(src, dict)]
        out["headline_text"] = " | ".join([row.headline, *titles])
    if (sig := data.get("signals")) is not None:  # signals: the SignalSet
        out |= {"pulse": sig.pulse.score, "direction": sig.pulse.direction, "heat": sig.heat.score}
    if (snap := data.get("snapshot")) is not None:  # technicals: the Snapshot
        values = snap.values
        out |= {
            "bar": snap.bar_date,
            "close": values.get("close"),
            "prev_close": values.get("prev_close"),
            "change_pct": values.get("change_pct"),
            "atr": values.get("atr14"),
            "levels": [(lv.kind, lv.price) for lv in snap.levels],
        }
    return out
