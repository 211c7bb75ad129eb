"""Live `tapewire run` (not --once) as a real process: a loopback feed publishes a headline, the
pass links it, the `keyword` rule fires, the dispatcher thread delivers the signed webhook; then
SIGTERM mid-delivery stops it cleanly (exit 0, in-flight rows released, not left leased) and a
restarted `tapewire run` delivers every queued alert: nothing lost across the stop."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tapewire.alerts import queries as alerts_queries
from tapewire.alerts.models import Outbox
from tapewire.ingest.stage import add_feed
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.store import open_store
from tests.alerts.receiver import Receiver, receiving
from tests.support.cli import cli_env
from tests.support.loopback import Route, serve_routes

FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>Energy desk</title><link>http://127.0.0.1/</link>
<item><title>Exxon Mobil hit by crude spill probe in the Gulf</title>
<link>http://127.0.0.1/news/exxon-spill.html</link>
<pubDate>{when}</pubDate></item>
</channel></rss>"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(db: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "tapewire.cli", "run", "--db", db, "--port", str(_free_port())]
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes], log: Path) -> float:
    """SIGTERM; returns the seconds it took to exit (asserts exit code 0)."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=60)
    took = time.monotonic() - t0
    assert rc == 0, log.read_text()[-3000:]
    return took


def _wait_keys(rx: Receiver, keys: set[str], timeout: float) -> set[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = set(rx.keys("/live"))
        if keys <= got:
            break
        time.sleep(0.05)
    return set(rx.keys("/live"))


def test_live_run_delivers_and_a_sigterm_loses_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "live.db")
    log = tmp_path / "run.log"
    when = (datetime.now(UTC) - timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    routes = {"/feed.xml": Route(body=FEED.format(when=when).encode())}
    with serve_routes(routes) as base, receiving() as rx:
        env = cli_env(tmp_path) | {
            "TAPEWIRE_ALERTS__ALLOW_PRIVATE_TARGETS": "true",
            "TAPEWIRE_HTTP__ALLOW_PRIVATE_URLS": "true",  # the loopback feed
            "TAPEWIRE_ALERTS__POLL_S": "0.05",
            "TAPEWIRE_ALERTS__TIMEOUT_S": "30",
            "TAPEWIRE_MARKET__STOOQ_BASE_URL": base,  # no bars here: the market stage fails fast
            "TAPEWIRE_MARKET__YAHOO_BASE_URL": base,
        }
        store = open_store(f"sqlite:///{db}")
        try:
            with store.write() as s:
                save_instrument(
                    s,
                    InstrumentSpec(
                        symbol="XOM", name="Exxon Mobil", asset_class="Stocks", aliases=("Exxon",)
                    ),
                )
                add_feed(s, f"{base}/feed.xml", now=datetime.now(UTC) - timedelta(days=1))
        finally:
            store.close()
        add = [sys.executable, "-m", "tapewire.cli", "alerts", "add", "--db", db,
               "--trigger", "keyword", "--param", "keyword=spill", "--frequency", "cooldown",
               "--cooldown", "1", "--channel", "webhook", "--target", rx.url + "/live",
               "--format", "json"]  # fmt: skip
        made = subprocess.run(add, env=env, capture_output=True, text=True, check=False)
        assert made.returncode == 0, made.stderr
        rule = json.loads(made.stdout)
        rx.secrets["/live"] = rule["signing_secret"]

        # 1. The feed publishes; the live process's first pass links the item and delivers.
        proc = _start(db, env, log)
        got = rx.wait(1, timeout=180, path="/live")
        if not got:
            proc.kill()
            proc.wait()
            pytest.fail("no webhook from the live run:\n" + log.read_text()[-3000:])
        first = got[0]
        body = json.loads(first.body)
        assert first.signature_ok and body["event"] == "item_linked"
        assert body["headline"] == "Exxon Mobil hit by crude spill probe in the Gulf"
        assert body["symbol"] == "XOM" and body["url"].endswith("/news/exxon-spill.html")

        # 2. Five more alerts while the target is slow; SIGTERM while one is in flight.
        rx.delays["/live"] = 2.0
        store = open_store(f"sqlite:///{db}")
        try:
            queued = {
                alerts_queries.queue_test(store, rule["id"], now=datetime.now(UTC))
                for _ in range(5)
            }
        finally:
            store.close()
        deadline = time.monotonic() + 30
        while len(rx.arrived) < 2 and time.monotonic() < deadline:  # the second is in flight
            time.sleep(0.01)
        assert len(rx.arrived) >= 2, log.read_text()[-3000:]
        took = _stop(proc, log)
        assert took < 20, f"SIGTERM took {took:.1f} s"
        store = open_store(f"sqlite:///{db}")
        try:
            with store.read() as s:
                rows = list(s.scalars(select(Outbox).where(Outbox.alert_id.in_(queued))))
                statuses = sorted(r.status for r in rows)
        finally:
            store.close()
        print(f"after SIGTERM (took {took:.1f} s):", statuses)
        assert "delivering" not in statuses  # released at the stop, not left leased
        assert "dead" not in statuses and statuses.count("pending") >= 1

        # 3. A restarted `tapewire run` delivers every one of them (at least once, same keys).
        rx.delays.pop("/live")
        proc = _start(db, env, log)
        try:
            queued_keys = _alert_keys(db, queued) | {first.key}
            arrived = _wait_keys(rx, queued_keys, timeout=120)
        finally:
            _stop(proc, log)
    received = rx.keys("/live")
    lost = queued_keys - arrived
    duplicates = len(received) - len(set(received))
    print(f"live run: 6 alerts, {len(set(received))} received, {len(lost)} lost, "
          f"{duplicates} duplicates")  # fmt: skip
    assert not lost and len(set(received)) == 6
    assert all(r.signature_ok for r in rx.received)
    assert "Traceback" not in log.read_text()


def _alert_keys(db: str, alert_ids: set[int]) -> set[str]:
    from tapewire.alerts.models import Alert

    store = open_store(f"sqlite:///{db}")
    try:
        with store.read() as s:
            return {
                str(a.idempotency_key)
                for a in s.scalars(select(Alert).where(Alert.id.in_(alert_ids)))
            }
    finally:
        store.close()
