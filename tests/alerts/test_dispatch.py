"""Delivery over real loopback servers: signed webhooks, SMTP email (aiosmtpd), retries in order,
dead letters, and faulty targets that never hold up the others."""

from __future__ import annotations

import email
import json
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from sqlalchemy import select

from tapewire.alerts.dispatch import Dispatcher
from tapewire.alerts.evaluate import evaluate_event
from tapewire.alerts.models import AlertDelivery, Outbox
from tapewire.alerts.rules import RuleSpec, add_rule, rule_secret
from tapewire.config import Settings
from tapewire.store import Store
from tests.alerts.receiver import Receiver, receiving
from tests.support.servers import free_port

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _hook(store: Store, settings: Settings, receiver: Receiver, path: str, **kw: Any) -> int:
    spec = RuleSpec(
        "brief", "webhook", receiver.url + path, frequency="cooldown", cooldown_s=1, **kw
    )
    rule = add_rule(store, settings, spec, api_key_id=None, now=NOW)
    receiver.secrets[path] = rule_secret(store, rule.id, api_key_id=None) or ""
    return rule.id


def _events(store: Store, n: int, *, symbol: str = "ACME") -> None:
    for i in range(n):
        with store.write() as s:
            data = {"symbol": symbol, "headline": f"headline {i}", "slug": f"s-{i}", "seq": i}
            evaluate_event(s, "brief", data, now=NOW + timedelta(seconds=2 * i))


def _dispatch(store: Store, settings: Settings, *, seconds: float | None = None) -> Dispatcher:
    d = Dispatcher(store, settings.alerts)
    stop = threading.Event()
    if seconds is not None:
        threading.Timer(seconds, stop.set).start()
    d.run(stop, until_idle=seconds is None)
    return d


def _statuses(store: Store) -> dict[str, int]:
    with store.read() as s:
        out: dict[str, int] = {}
        for status in s.scalars(select(Outbox.status)):
            out[status] = out.get(status, 0) + 1
        return out


def test_webhooks_arrive_signed_with_idempotency_keys_and_presets(
    astore: Store, asettings: Settings
) -> None:
    with receiving() as rx:
        _hook(astore, asettings, rx, "/json", template="{{symbol}}: {{headline}} {{url}}")
        _hook(astore, asettings, rx, "/slack", preset="slack")
        _hook(astore, asettings, rx, "/discord", preset="discord")
        _hook(astore, asettings, rx, "/ntfy", preset="ntfy", template="{{headline}}")
        _events(astore, 3)
        d = _dispatch(astore, asettings)
        got = rx.wait(12)
    assert d.stats.delivered == 12 and all(r.signature_ok for r in got)
    assert len({r.key for r in got}) == 12 and all(r.key.startswith("tw-") for r in got)
    first = json.loads(next(r.body for r in got if r.path == "/json"))
    assert first["message"] == "ACME: headline 0 /briefs/s-0" and first["symbol"] == "ACME"
    assert "text" in json.loads(next(r.body for r in got if r.path == "/slack"))
    assert "content" in json.loads(next(r.body for r in got if r.path == "/discord"))
    assert next(r.body for r in got if r.path == "/ntfy") == b"headline 0"
    assert _statuses(astore) == {"delivered": 12}


def test_a_bad_signature_is_detected_by_the_receiver(astore: Store, asettings: Settings) -> None:
    with receiving() as rx:
        _hook(astore, asettings, rx, "/json")
        rx.secrets["/json"] = "not-the-secret"
        _events(astore, 1)
        _dispatch(astore, asettings)
        assert [r.signature_ok for r in rx.wait(1)] == [False]


def test_faulty_targets_never_block_a_healthy_one(astore: Store, asettings: Settings) -> None:
    """500s are retried then dead-lettered; a hang times out; a redirect (to a metadata
    address) is refused; a 30 MB answer is cut off; the healthy target gets every alert fast."""
    with receiving() as rx:
        for path in ("/fail", "/hang", "/slow", "/redirect", "/big", "/ok"):
            _hook(astore, asettings, rx, path)
        _events(astore, 5)
        started = time.monotonic()
        d = Dispatcher(astore, asettings.alerts.model_copy(update={"max_attempts": 3}))
        stop = threading.Event()
        thread = threading.Thread(target=d.run, args=(stop,))
        thread.start()
        ok = rx.wait(5, path="/ok")
        healthy_s = time.monotonic() - started
        time.sleep(max(0.0, 8.0 - healthy_s))  # the hang's 2 s timeout, thrice, with backoff
        stop.set()
        thread.join(timeout=30)
        big = rx.keys("/big")
        slow = rx.keys("/slow")
    print(f"healthy target got 5 alerts in {healthy_s:.2f} s; stats {d.stats}")
    assert len(ok) == 5 and healthy_s < 1.5
    assert len(big) == 5 and len(slow) == 5
    with astore.read() as s:
        rows: dict[str, Outbox] = {}  # the first row per target
        for r in s.scalars(select(Outbox).order_by(Outbox.id)):
            rows.setdefault(r.target.rsplit("/", 1)[1], r)
        log = s.scalars(select(AlertDelivery)).all()
    assert rows["fail"].status == "dead" and rows["fail"].last_status == 500
    assert rows["redirect"].status == "dead" and "redirects are not followed" in (
        rows["redirect"].last_error or ""
    )
    assert rows["hang"].status in ("dead", "delivering", "pending") and "timed out" in (
        rows["hang"].last_error or ""
    )
    assert rows["big"].status == "delivered"
    assert {d.attempt for d in log if not d.ok and d.status_code == 500} == {1, 2, 3}


def test_a_target_down_gets_every_alert_in_order_when_back(
    astore: Store, asettings: Settings
) -> None:
    with receiving() as rx:
        rule = _hook(astore, asettings, rx, "/later")
        _events(astore, 6)
        down = asettings.alerts.model_copy(update={"max_attempts": 50})
        with astore.write() as s:  # the target is "down": its URL answers 500 for a while
            for row in s.scalars(select(Outbox)):
                row.target = rx.url + "/fail"
        d = Dispatcher(astore, down)
        stop = threading.Event()
        threading.Timer(0.8, stop.set).start()
        d.run(stop)
        assert d.stats.delivered == 0 and d.stats.failed >= 2
        with astore.write() as s:  # back up
            for row in s.scalars(select(Outbox)):
                row.target = rx.url + "/later"
                row.next_attempt_at = datetime.now(UTC)
        _dispatch(astore, asettings)
        got = rx.wait(6, path="/later")
    order = [json.loads(r.body)["message"] for r in got]
    assert order == [f"tapewire brief: ACME headline {i} /briefs/s-{i}" for i in range(6)], rule


def test_the_ssrf_guard_refuses_at_connection_time(astore: Store, asettings: Settings) -> None:
    """A rule made while private targets were allowed is refused once they are not."""
    with receiving() as rx:
        _hook(astore, asettings, rx, "/ok")
        _events(astore, 1)
        strict = asettings.model_copy(
            update={"alerts": asettings.alerts.model_copy(update={"allow_private_targets": False})}
        )
        _dispatch(astore, strict)
        assert rx.keys() == []
    with astore.read() as s:
        row = s.scalars(select(Outbox)).one()
    assert row.status == "dead" and "private, loopback" in (row.last_error or "")


def test_email_goes_to_a_real_smtp_server(astore: Store, asettings: Settings) -> None:
    from aiosmtpd.controller import Controller

    messages: list[Message] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            messages.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = asettings.model_copy(
            update={
                "alerts": asettings.alerts.model_copy(
                    update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
                )
            }
        )
        spec = RuleSpec("brief", "email", "trader@example.com", template="{{symbol}} {{headline}}")
        add_rule(astore, settings, spec, api_key_id=None, now=NOW)
        _events(astore, 1)
        d = _dispatch(astore, settings)
    finally:
        controller.stop()
    assert d.stats.delivered == 1 and len(messages) == 1
    msg = messages[0]
    assert msg["To"] == "trader@example.com" and "ACME" in msg["Subject"]
    parts = {
        p.get_content_type(): p.get_payload(decode=True) for p in msg.walk() if not p.is_multipart()
    }
    assert b"ACME headline 0" in parts["text/plain"] and b"<a href=" in parts["text/html"]
    assert msg["X-Tapewire-Idempotency-Key"].startswith("tw-")


@pytest.mark.parametrize("status", ["delivered"])
def test_the_delivery_log_records_attempts(astore: Store, asettings: Settings, status: str) -> None:
    with receiving() as rx:
        _hook(astore, asettings, rx, "/ok")
        _events(astore, 2)
        _dispatch(astore, asettings)
    with astore.read() as s:
        log = s.scalars(select(AlertDelivery)).all()
    assert [(d.attempt, d.ok, d.status_code) for d in log] == [(1, True, 200), (1, True, 200)]
    assert all(d.latency_ms > 0 for d in log) and _statuses(astore) == {status: 2}


def test_the_readme_verification_snippet_accepts_our_signature_only() -> None:
    import time as _time

    from tapewire.alerts.channels.webhook import sign
    from tests.conftest import ROOT

    text = (ROOT / "README.md").read_text()
    snippet = text.split("Verify a webhook", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {}
    exec(snippet, scope)  # noqa: S102 (the documented snippet, run as a receiver would)
    ts, body = str(int(_time.time())), b'{"symbol":"ACME"}'
    headers = {"X-Tapewire-Timestamp": ts, "X-Tapewire-Signature": sign("s3cret", ts, body)}
    assert scope["verify"]("s3cret", headers, body)
    assert not scope["verify"]("s3cret", headers, body + b" ")
    assert not scope["verify"]("other", headers, body)


def test_delivery_on_both_backends(store: Store, asettings: Settings) -> None:
    """Claim (FOR UPDATE SKIP LOCKED on Postgres), deliver, record: the same on SQLite."""
    with receiving() as rx:
        _hook(store, asettings, rx, "/both")
        _events(store, 3)
        d = _dispatch(store, asettings)
        got = rx.wait(3, path="/both")
    assert d.stats.delivered == 3 and all(r.signature_ok for r in got)
    assert [json.loads(r.body)["headline"] for r in got] == [
        "headline 0",
        "headline 1",
        "headline 2",
    ]
    assert _statuses(store) == {"delivered": 3}


def test_the_default_retry_schedule_outlasts_an_hour_down() -> None:
    """A target down for an hour gets every alert after it recovers (issue #12): with the old
    default of 8 attempts an alert was dead-lettered 2 to 4 minutes after a target went down."""
    from tapewire.alerts.outbox import backoff_s, retry_floor_s
    from tapewire.config import AlertsSettings

    defaults = AlertsSettings()
    assert retry_floor_s(defaults) > 3600
    rng = random.Random(7)  # noqa: S311 (jitter, not secrets)
    for attempt in range(1, defaults.max_attempts):
        d = min(defaults.backoff_cap_s, defaults.backoff_base_s * 2.0 ** (attempt - 1))
        assert d / 2 <= backoff_s(attempt, defaults, rng) <= d
