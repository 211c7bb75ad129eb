"""Keys and rules: salted hashes, scopes, rotation, revocation; rules rejected with clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tapewire.alerts.keys import AuthError, authenticate, create_key, revoke_key, rotate_key
from tapewire.alerts.models import ApiKey
from tapewire.alerts.rules import RuleError, RuleSpec, add_rule, list_rules, remove_rule
from tapewire.config import Settings
from tapewire.store import Store

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_a_key_is_stored_only_as_a_salted_hash_and_checks_scopes(astore: Store) -> None:
    with astore.write() as s:
        view, text = create_key(s, name="bot", scopes=["alerts:write"], now=NOW)
        _, other = create_key(s, name="bot2", scopes=["alerts:write"], now=NOW)
    with astore.read() as s:
        rows = s.scalars(select(ApiKey)).all()
    secret = text.split("_", 2)[2]
    assert all(secret not in (r.hash + r.salt + r.prefix) for r in rows)
    assert rows[0].salt != rows[1].salt and rows[0].hash != rows[1].hash
    with astore.write() as s:
        assert authenticate(s, text, scope="alerts:write", now=NOW).id == view.id
        assert authenticate(s, text, scope="read", now=NOW).id == view.id
        with pytest.raises(AuthError, match="lacks the 'admin' scope"):
            authenticate(s, text, scope="admin", now=NOW)
        with pytest.raises(AuthError, match="unknown API key"):
            authenticate(s, text[:-2] + "xx", scope="read", now=NOW)
        with pytest.raises(AuthError, match="required"):
            authenticate(s, None, scope="read", now=NOW)
    with astore.write() as s:
        _, rotated = rotate_key(s, view.id)
    with astore.write() as s:
        with pytest.raises(AuthError, match="unknown"):
            authenticate(s, text, scope="read", now=NOW)
        assert authenticate(s, rotated, scope="read", now=NOW).id == view.id
        revoke_key(s, view.id, now=NOW)
    with astore.write() as s, pytest.raises(AuthError, match="revoked"):
        authenticate(s, rotated, scope="read", now=NOW)
    with astore.write() as s:
        assert authenticate(s, other, scope="read", now=NOW).name == "bot2"
    with astore.write() as s, pytest.raises(AuthError, match="unknown scope 'root'"):
        create_key(s, name="x", scopes=["root"], now=NOW)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (RuleSpec("brief", "webhook", "http://127.0.0.1/x", scope="instrument:NOPE"), "unknown symbol 'NOPE'"),
        (RuleSpec("pulse_cross", "stream", params={"value": 140}), "value 140 is impossible"),
        (RuleSpec("pulse_cross", "stream", params={}), "value is required"),
        (RuleSpec("move", "stream", params={"pct": 2, "atr": 1}), "exactly one of pct"),
        (RuleSpec("level_cross", "stream", params={"level": "moon"}), "level 'moon' is not one of"),
        (RuleSpec("brief", "stream", params={"min_threat": 9}), "min_threat 9 is impossible"),
        (RuleSpec("crash", "stream"), "unknown trigger 'crash'"),
        (RuleSpec("brief", "pigeon"), "unknown channel 'pigeon'"),
        (RuleSpec("brief", "stream", frequency="cooldown"), "cooldown needs cooldown_s"),
        (RuleSpec("brief", "webhook", "ftp://example.com/x"), "not an absolute http"),
        (RuleSpec("brief", "webhook", "http://user:pw@127.0.0.1/x"), "credentials"),
        (RuleSpec("brief", "webhook", "http://no-such-host.invalid/x"), "cannot resolve"),
        (RuleSpec("brief", "webhook", "http://127.0.0.1/x", template="{{symbol}} {{price_target}}"), "unknown placeholder {{price_target}}"),
        (RuleSpec("brief", "webhook", "http://127.0.0.1/x", template="{{symbol} broke"), "unbalanced"),
        (RuleSpec("brief", "webhook", "http://127.0.0.1/x", preset="pager"), "unknown preset"),
        (RuleSpec("brief", "email", "not-an-email"), "is not an email address"),
        (RuleSpec("brief", "email", "a@b.com\nBcc: x@y.com"), "is not an email address"),
        (RuleSpec("brief", "stream", scope="sector"), "scope 'sector' is not"),
    ],
)  # fmt: skip
def test_bad_rules_are_rejected_at_creation_with_a_clear_error(
    astore: Store, asettings: Settings, spec: RuleSpec, message: str
) -> None:
    with pytest.raises(RuleError, match=message.replace("{", r"\{").replace("(", r"\(")):
        add_rule(astore, asettings, spec, api_key_id=None, now=NOW)
    assert list_rules(astore) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://100.100.100.200/x",
    ],
)
def test_private_targets_are_refused_unless_allowed(
    astore: Store, settings: Settings, url: str
) -> None:
    with pytest.raises(RuleError, match="private, loopback, link-local or metadata"):
        add_rule(astore, settings, RuleSpec("brief", "webhook", url), api_key_id=None, now=NOW)


def test_a_valid_rule_is_stored_normalised_and_removable(
    astore: Store, asettings: Settings
) -> None:
    spec = RuleSpec(
        "pulse_cross",
        "webhook",
        "http://127.0.0.1:9/hook",
        scope="instrument:ACME",
        params={"value": "70", "direction": "up"},
        template="{{symbol}} Pulse {{pulse}} crossed {{level}}",
        preset="slack",
        expires_at=NOW + timedelta(days=1),
    )
    rule = add_rule(astore, asettings, spec, api_key_id=None, now=NOW)
    assert rule.params == {"value": 70.0, "direction": "up"}
    assert "secret" not in rule.public()
    assert [r.id for r in list_rules(astore)] == [rule.id]
    assert remove_rule(astore, rule.id)
    assert list_rules(astore) == []
    with pytest.raises(RuleError, match="in the past"):
        add_rule(
            astore, asettings, RuleSpec("brief", "stream", expires_at=NOW), api_key_id=None, now=NOW
        )
