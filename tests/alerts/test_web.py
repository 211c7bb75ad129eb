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


def test_write_calls_are_rate_limited_per_key(astore: Store, asettings: Settings) -> None:
    limited = asettings.model_copy(
        update={"alerts": asettings.alerts.model_copy(update={"api_writes_per_minute": 3})}
    )
    busy, other = _key(astore, "alerts:write", name="busy"), _key(astore, "alerts:write")
    rule = {"trigger": "brief", "channel": "stream", "frequency": "cooldown", "cooldown_s": 1}
    with serve_app(create_app(limited, store=astore)) as site, httpx.Client(base_url=site) as c:
        made = [c.post("/api/alerts/rules", json=rule, headers=_auth(busy)) for _ in range(3)]
        assert [r.status_code for r in made] == [201, 201, 201]
        refused = c.post(f"/api/alerts/rules/{made[0].json()['id']}/test", headers=_auth(busy))
        assert refused.status_code == 429 and "at most 3 a minute" in refused.text
        assert 1 <= int(refused.headers["Retry-After"]) <= 20  # one token: 60 s / 3
        assert (
            c.delete(f"/api/alerts/rules/{made[0].json()['id']}", headers=_auth(busy)).status_code
            == 429
        )
        assert c.get("/api/alerts/rules", headers=_auth(busy)).status_code == 200  # reads: free
        assert c.post("/api/alerts/rules", json=rule, headers=_auth(other)).status_code == 201
        schema = c.get("/api/openapi.json").json()
        assert "429" in schema["paths"]["/api/alerts/rules"]["post"]["responses"]


def test_targets_are_masked_except_at_creation(astore: Store, site: str) -> None:
    key = _key(astore, "alerts:write", name="desk")
    hook_url = "http://127.0.0.1:9/services/T000/B000/XXXXsecretWXYZ"
    hook = {"trigger": "brief", "channel": "webhook", "target": hook_url}
    with httpx.Client(base_url=site) as c:
        made = c.post("/api/alerts/rules", json=hook, headers=_auth(key)).json()
        assert made["target"] == hook_url  # shown in full once, at creation
        listed = c.get("/api/alerts/rules", headers=_auth(key))
        one = c.get(f"/api/alerts/rules/{made['id']}", headers=_auth(key))
        page = c.post("/alerts", data={"key": key})
        for text in (listed.text, one.text, page.text):
            assert "XXXXsecret" not in text and "services" not in text
        assert listed.json()["rules"][0]["target"] == "http://127.0.0.1:9/…WXYZ"
        assert "http://127.0.0.1:9/…WXYZ" in page.text


def test_mask_target_keeps_scheme_host_and_last_four() -> None:
    from tapewire.alerts.rules import mask_target

    assert mask_target("https://hooks.slack.com/services/T1/B2/abcdefgh1234") == (
        "https://hooks.slack.com/…1234"
    )
    assert mask_target("https://ntfy.sh/x") == "https://ntfy.sh/…"  # too short to show a tail
    assert (
        mask_target("https://[2001:db8::1]:8443/hook/0123456789")
        == "https://[2001:db8::1]:8443/…6789"
    )
    assert mask_target("desk.alerts.team@example.com") == "…team@example.com"
    assert mask_target("me@example.com") == "…@example.com"
