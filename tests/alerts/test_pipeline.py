"""The real pipeline (the demo world over loopback HTTP) fires rules from its own write
transactions: every instrument brief gets its alert, signals and bars fire theirs."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from tapewire.alerts.models import Alert, Outbox
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
        for trigger, params in (
            ("brief", {}),
            ("move", {"pct": 0.01}),
            ("pulse_cross", {"value": 50, "direction": "either"}),
        ):
            spec = RuleSpec(
                trigger, "webhook", "http://127.0.0.1:9/h", params=params, frequency="once_per_bar"
            )
            add_rule(store, asettings, spec, api_key_id=None, now=now)
    finally:
        store.close()
    analyse_and_write(asettings, DEMO_AS_OF)
    store = open_store(asettings.database_url())
    try:
        with store.read() as s:
            briefs = {b.id: b for b in s.scalars(select(Brief)) if b.instruments}
            alerts = s.scalars(select(Alert)).all()
            outbox = s.scalars(select(Outbox)).all()
    finally:
        store.close()
    by_event: dict[str, list[Alert]] = {}
    for a in alerts:
        by_event.setdefault(a.event, []).append(a)
    print({k: len(v) for k, v in by_event.items()}, len(briefs), "briefs")
    assert {a.brief_id for a in by_event["brief"]} == set(briefs)
    for a in by_event["brief"]:
        assert a.brief_id is not None
        assert (
            a.data["headline"] == briefs[a.brief_id].headline
            and a.symbol in briefs[a.brief_id].instruments
        )
    assert by_event.get("bar") and all(a.data.get("close") for a in by_event["bar"])
    assert len(outbox) == len(alerts)
    brief = next(iter(briefs.values()))
    symbol = brief.instruments[0]
    with serve_app(create_app(asettings)) as url:
        page = httpx.get(f"{url}/briefs/{brief.slug}").text
    assert f"Alert me on this instrument ({symbol})" in page
    assert f"--scope instrument:{symbol}" in page and "coming with the alerts release" not in page
