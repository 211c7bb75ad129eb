"""The real pipeline (the demo world over loopback HTTP) fires rules from its own write
transactions: every instrument brief gets its alert, signals and bars fire theirs."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from tapewire.alerts.models import Alert, AlertRule, Outbox
from tapewire.alerts.rules import RuleSpec, add_rule
from tapewire.config import Settings
from tapewire.newsroom.models import Brief
from tapewire.store import open_store
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF
from tests.support.pipeline import analyse_and_write
from tests.support.servers import serve_app


def test_the_demo_pipeline_fires_brief_signal_and_bar_rules(asettings: Settings) -> None:
    store = open_store(asettings.database_url())
    now = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        for trigger, params, frequency in (
            ("brief", {}, "once_per_bar"),
            ("move", {"pct": 0.01}, "once_per_bar"),
            ("pulse_cross", {"value": 50, "direction": "either"}, "once_per_bar"),
            ("story_heat", {"value": 1}, "once_per_story"),
            ("keyword", {"keyword": "the"}, "once_per_story"),
        ):
            spec = RuleSpec(
                trigger, "webhook", "http://127.0.0.1:9/h", params=params, frequency=frequency
            )
            add_rule(store, asettings, spec, api_key_id=None, now=now)
    finally:
        store.close()
    analyse_and_write(asettings, DEMO_AS_OF)
    store = open_store(asettings.database_url())
    try:
        with store.read() as s:
            every = {b.id: b for b in s.scalars(select(Brief))}
            rules = dict(s.execute(select(AlertRule.id, AlertRule.trigger)).all())
            alerts = s.scalars(select(Alert)).all()
            outbox = s.scalars(select(Outbox)).all()
    finally:
        store.close()
    briefs = {i: b for i, b in every.items() if b.instruments}
    (market,) = [b for b in every.values() if not b.instruments]  # the market brief
    by_event: dict[str, list[Alert]] = {}
    by_trigger: dict[str, list[Alert]] = {}
    for a in alerts:
        by_event.setdefault(a.event, []).append(a)
        by_trigger.setdefault(rules[a.rule_id], []).append(a)
    print({k: len(v) for k, v in by_event.items()}, len(briefs), "briefs")
    brief_alerts = by_trigger["brief"]
    assert {a.brief_id for a in brief_alerts} == set(briefs) | {market.id}
    for a in brief_alerts:
        assert a.brief_id is not None
        symbols = every[a.brief_id].instruments or ["MARKET"]
        assert a.data["headline"] == every[a.brief_id].headline and a.symbol in symbols
    # every newly linked item with "the" in its headline, once per story; briefs' headlines too
    linked = by_event["item_linked"]
    assert linked and all("the" in str(a.data["headline"]).lower() for a in linked)
    assert all(
        str(a.data.get("url", "")).startswith("http") and a.data.get("outlet") for a in linked
    )
    stories = [a.data.get("story_id") for a in linked if a.data.get("story_id") is not None]
    assert len(stories) == len(set(stories))
    # story heat: once per story and instrument's story, each with the story's first headline
    heat = by_event["story_heat"]
    assert heat and {rules[a.rule_id] for a in heat} == {"story_heat"}
    assert len({a.data["story_id"] for a in heat}) == len(heat)
    assert all(float(str(a.data["heat"])) >= 1 and a.data["headline"] for a in heat)
    assert by_event.get("bar") and all(a.data.get("close") for a in by_event["bar"])
    assert len(outbox) == len(alerts)
    brief = next(iter(briefs.values()))
    symbol = brief.instruments[0]
    with serve_app(create_app(asettings)) as url:
        page = httpx.get(f"{url}/briefs/{brief.slug}").text
    assert f"Alert me on this instrument ({symbol})" in page
    assert f"--scope instrument:{symbol}" in page and "coming with the alerts release" not in page
