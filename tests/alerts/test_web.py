"""The alerts API with keys, the filtered live stream, a rule's Atom feed and the alerts page,
over the real app on a loopback port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from defusedxml import ElementTree

from tapewire.alerts.evaluate import evaluate_event
from tapewire.alerts.keys import create_key, revoke_key
from tapewire.config import Settings
from tapewire.store import Store
from tapewire.web.app import create_app
from tests.support.servers import serve_app

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


@pytest.fixture
def site(astore: Store, asettings: Settings) -> Iterator[str]:
    with serve_app(create_app(asettings, store=astore)) as url:
        yield url


def _key(store: Store, *scopes: str, name: str = "k") -> str:
    with store.write() as s:
        return create_key(s, name=name, scopes=list(scopes), now=NOW)[1]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_api_needs_a_key_with_the_right_scope(astore: Store, site: str) -> None:
    reader, writer = _key(astore, "read"), _key(astore, "alerts:write")
    rule = {"trigger": "brief", "channel": "stream", "scope": "instrument:ACME"}
    with httpx.Client(base_url=site) as c:
        assert c.get("/api/alerts/rules").status_code == 401
        assert c.get("/api/alerts/rules", headers=_auth("tw_nope_nope")).status_code == 401
        denied = c.post("/api/alerts/rules", json=rule, headers=_auth(reader))
        assert denied.status_code == 403 and "alerts:write" in denied.json()["error"]["message"]
        made = c.post("/api/alerts/rules", json=rule, headers=_auth(writer))
        assert made.status_code == 201, made.text
        bad = c.post(
            "/api/alerts/rules", json={**rule, "scope": "instrument:NOPE"}, headers=_auth(writer)
        )
        assert bad.status_code == 422 and "unknown symbol 'NOPE'" in bad.json()["error"]["message"]
        tpl = {
            **rule,
            "channel": "webhook",
            "target": "http://127.0.0.1:9/",
            "template": "{{nope}}",
        }
        bad = c.post("/api/alerts/rules", json=tpl, headers=_auth(writer))
        assert bad.status_code == 422 and "unknown placeholder" in bad.text
        hook = {**rule, "channel": "webhook", "target": "http://127.0.0.1:9/h"}
        created = c.post("/api/alerts/rules", json=hook, headers=_auth(writer)).json()
        secret = created["signing_secret"]
        listed = c.get("/api/alerts/rules", headers=_auth(writer))
        assert [r["id"] for r in listed.json()["rules"]] == [made.json()["id"], created["id"]]
        assert secret not in listed.text  # shown once, at creation only
        assert (
            c.get("/api/alerts/rules", headers=_auth(reader)).json()["rules"] == []
        )  # not its rules
        assert (
            c.post(f"/api/alerts/rules/{created['id']}/test", headers=_auth(writer)).status_code
            == 202
        )
        log = c.get("/api/alerts/deliveries", headers=_auth(writer)).json()["deliveries"]
        assert [d["status"] for d in log] == ["pending"] and secret not in json.dumps(log)
        assert (
            c.delete(f"/api/alerts/rules/{created['id']}", headers=_auth(reader)).status_code == 403
        )
        assert (
            c.delete(f"/api/alerts/rules/{created['id']}", headers=_auth(writer)).status_code == 204
        )
        assert c.get(f"/api/alerts/rules/{created['id']}", headers=_auth(writer)).status_code == 404
        schema = c.get("/api/openapi.json").json()
        assert (
            "/api/alerts/rules" in schema["paths"] and "/api/alerts/deliveries" in schema["paths"]
        )
    with astore.write() as s:
        revoke_key(s, 2, now=NOW)
    with httpx.Client(base_url=site) as c:
        revoked = c.get("/api/alerts/rules", headers=_auth(writer))
        assert revoked.status_code == 403 and "revoked" in revoked.text


def test_the_stream_carries_only_the_keys_own_alerts(astore: Store, site: str) -> None:
    mine, theirs = (
        _key(astore, "alerts:write", name="me"),
        _key(astore, "alerts:write", name="them"),
    )
    with httpx.Client(base_url=site) as c:
        for key, symbol in ((mine, "ACME"), (theirs, "all")):
            scope = "instrument:ACME" if symbol == "ACME" else "all"
            rule = {
                "trigger": "brief",
                "channel": "stream",
                "scope": scope,
                "frequency": "cooldown",
                "cooldown_s": 1,
            }
            assert c.post("/api/alerts/rules", json=rule, headers=_auth(key)).status_code == 201
    for i, symbol in enumerate(("ZZZ", "ACME", "ZZZ", "ACME")):
        with astore.write() as s:
            evaluate_event(
                s, "brief", {"symbol": symbol, "headline": f"h{i}"}, now=NOW.replace(minute=i)
            )
    events = []
    with httpx.stream(
        "GET", f"{site}/api/alerts/stream?limit=2", headers=_auth(mine), timeout=10
    ) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    assert [(e["symbol"], e["headline"]) for e in events] == [("ACME", "h1"), ("ACME", "h3")]
    assert httpx.get(f"{site}/api/alerts/stream").status_code == 401


def test_an_atom_feed_per_rule_and_the_alerts_page(astore: Store, site: str) -> None:
    key = _key(astore, "alerts:write", name="desk")
    with httpx.Client(base_url=site) as c:
        rule = {"trigger": "brief", "channel": "atom", "frequency": "cooldown", "cooldown_s": 1}
        made = c.post("/api/alerts/rules", json=rule, headers=_auth(key)).json()
        with astore.write() as s:
            evaluate_event(s, "brief", {"symbol": "ACME", "headline": "Acme <b>soars</b>"}, now=NOW)
        feed = c.get(made["feed_url"].removeprefix(site))
        assert feed.status_code == 200
        titles = [
            e.text
            for e in ElementTree.fromstring(feed.content).iter(
                "{http://www.w3.org/2005/Atom}summary"
            )
        ]
        assert titles == ["Acme <b>soars</b>"]
        assert c.get(f"/api/alerts/feeds/{made['id']}/{'0' * 32}.atom").status_code == 404
        page = c.post("/alerts", data={"key": key})
        assert page.status_code == 200 and "Rules of desk" in page.text and key not in page.text
        assert c.post("/alerts", data={"key": "tw_bad_bad"}).status_code == 401
