"""Events fire rules inside the event's own transaction: the alert and outbox rows commit or roll
back with it; frequencies, crossings, levels, moves, keywords, scope and expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tapewire.alerts.evaluate import evaluate_event
from tapewire.alerts.models import Alert, Outbox
from tapewire.alerts.rules import RuleSpec, add_rule
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.store import Store

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _fire(store: Store, kind: str, data: dict[str, Any], now: datetime = NOW) -> int:
    with store.write() as s:
        return evaluate_event(s, kind, data, now=now, public_url="https://tw.example")


def _count(store: Store, table: type) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _rule(store: Store, settings: Settings, trigger: str, **kw: Any) -> int:
    spec = RuleSpec(
        trigger, kw.pop("channel", "webhook"), kw.pop("target", "http://127.0.0.1:9/h"), **kw
    )
    return add_rule(store, settings, spec, api_key_id=None, now=NOW - timedelta(hours=1)).id


def test_the_alert_is_written_in_the_events_transaction(
    astore: Store, asettings: Settings, make_ctx: Callable[..., RunContext]
) -> None:
    _rule(astore, asettings, "brief", scope="instrument:ACME")
    ctx = make_ctx(astore, NOW)
    with pytest.raises(RuntimeError), astore.write() as s:  # the event's transaction fails
        ctx.emit(s, "brief", {"symbol": "ACME", "headline": "Acme up", "as_of": NOW})
        assert s.scalar(select(func.count()).select_from(Alert)) == 1
        raise RuntimeError("the brief was not stored after all")
    assert _count(astore, Alert) == 0 and _count(astore, Outbox) == 0
    with astore.write() as s:
        ctx.emit(
            s, "brief", {"symbol": "ACME", "headline": "Acme up", "as_of": NOW, "slug": "acme-1"}
        )
    assert _count(astore, Alert) == 1 and _count(astore, Outbox) == 1
    with astore.read() as s:
        payload = s.scalars(select(Outbox)).one().payload
    assert "https://tw.example/briefs/acme-1" in str(payload["body"]) or payload


def test_brief_filters_scope_and_once_per_bar(astore: Store, asettings: Settings) -> None:
    _rule(astore, asettings, "brief", params={"direction": "Bullish", "min_threat": 3})
    base = {"symbol": "ACME", "bar": "2026-12-04", "threat": 3, "direction": "Bullish"}
    assert _fire(astore, "brief", {**base, "direction": "Bearish"}) == 0
    assert _fire(astore, "brief", {**base, "threat": 2}) == 0
    assert _fire(astore, "brief", base) == 1
    assert _fire(astore, "brief", base) == 0  # the same bar
    assert _fire(astore, "brief", {**base, "bar": "2026-12-05"}) == 1
    assert _fire(astore, "brief", {**base, "symbol": "OTHER", "bar": "2026-12-05"}) == 1


def test_pulse_crossing_either_way_and_direction_change(astore: Store, asettings: Settings) -> None:
    _rule(
        astore,
        asettings,
        "pulse_cross",
        params={"value": 60, "direction": "up"},
        frequency="cooldown",
        cooldown_s=1,
    )
    _rule(astore, asettings, "direction_change", frequency="cooldown", cooldown_s=1)
    steps = [
        (55, "Neutral", 0),
        (62, "Bullish", 2),
        (64, "Bullish", 0),
        (58, "Neutral", 1),
        (61, "Bullish", 2),
    ]
    for i, (pulse, direction, fired) in enumerate(steps):
        at = NOW + timedelta(minutes=i)
        got = _fire(
            astore, "signal", {"symbol": "ACME", "pulse": pulse, "direction": direction}, at
        )
        assert got == fired, (pulse, direction)


def test_level_cross_move_keyword_and_scope(astore: Store, asettings: Settings) -> None:
    _rule(astore, asettings, "level_cross", params={"level": "resistance", "min_pct": 0.5})
    _rule(astore, asettings, "move", params={"atr": 1.5}, scope="instrument:ACME")
    _rule(astore, asettings, "keyword", params={"keyword": "recall"}, frequency="once")
    bar = {"symbol": "ACME", "bar": "2026-12-04", "prev_close": 99.0, "atr": 2.0}
    levels = [("support", 90.0), ("resistance", 100.0)]
    assert _fire(astore, "bar", {**bar, "close": 100.2, "levels": levels}) == 0  # not 0.5% beyond
    assert _fire(astore, "bar", {**bar, "bar": "2026-12-05", "close": 102.5, "levels": levels}) == 2
    assert _fire(astore, "bar", {**bar, "symbol": "ZZZ", "bar": "2026-12-06", "close": 103.0}) == 0
    text = {"symbol": "ACME", "headline_text": "Acme | Regulator orders a recall of arms"}
    assert _fire(astore, "brief", text) == 1
    assert _fire(astore, "brief", {**text, "bar": "x"}) == 0  # once: the rule is spent


def test_expired_rules_do_not_fire(astore: Store, asettings: Settings) -> None:
    _rule(astore, asettings, "brief", expires_at=NOW + timedelta(minutes=5))
    assert _fire(astore, "brief", {"symbol": "ACME", "bar": "a"}) == 1
    assert _fire(astore, "brief", {"symbol": "ACME", "bar": "b"}, NOW + timedelta(minutes=6)) == 0


def test_a_pipeline_brief_fires_a_rule(
    astore: Store, asettings: Settings, make_ctx: Callable[..., RunContext]
) -> None:
    """The newsroom's hook: a Brief row in its transaction becomes an alert with its values."""
    from tapewire.alerts.evaluate import event_data

    class Row:  # what newsroom passes: the Brief row (read by attribute)
        id, slug, headline, dek = None, "acme-2026-12-07", "Acme breaks out", "dek"
        direction, pulse, heat, threat, trigger = "Bullish", 71.0, 40.0, 2, "daily"
        tags, sources, as_of = ["robotics"], [{"title": "Acme recalls arms"}], NOW

    data = event_data({"symbol": "ACME", "row": Row()})
    assert data["headline_text"] == "Acme breaks out | Acme recalls arms"
    assert data["bar"] == NOW.date() and data["tags"] == ["robotics"]
