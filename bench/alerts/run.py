"""Alerts: bar closed -> webhook received latency, and dispatcher deliveries/s, on loopback.

1. Latency: 1,000 rules (50 on each of 20 instruments) to 100 targets (100 loopback ports of
   one asyncio HTTP server); a bar-closed event is stored every 50 ms for 40 events (50 alerts
   each); the dispatcher runs in a thread with the default settings. Latency is from the
   event's commit to the webhook's arrival. Goal (issue #12): p99 < 500 ms.
2. Throughput: N alerts queued to one loopback target; deliveries/s of the dispatcher
   (``alerts.per_target_concurrency`` 64, no rate limit) against the field's baseline: a
   sequential outbox worker (claim one row, POST it with httpx, mark it, next). Goal >= 1,000/s.

    .venv/bin/python bench/alerts/run.py [--alerts 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select, update

from tapewire.alerts.dispatch import Dispatcher
from tapewire.alerts.evaluate import evaluate_event
from tapewire.alerts.models import Alert, Outbox
from tapewire.alerts.rules import RuleSpec, add_rule
from tapewire.config import Settings, load_settings
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.store import Store, open_store

T0 = datetime(2026, 12, 7, 12, tzinfo=UTC)


class RemoteReceiver:
    """The receiver in its own process (as a real receiver would be: it does not share our
    interpreter's lock); arrival times are ``time.perf_counter`` (CLOCK_MONOTONIC, system-wide)."""

    def __init__(self, ports: int) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(ports)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        self.ports: list[int] = json.loads(self._proc.stdout.readline())
        self._arrivals: dict[str, float] = {}

    @property
    def arrivals(self) -> dict[str, float]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write("dump\n")
        self._proc.stdin.flush()
        self._arrivals = json.loads(self._proc.stdout.readline())
        return self._arrivals

    def close(self) -> None:
        self._proc.kill()
        self._proc.wait()


def serve(ports: int) -> int:
    receiver = Receiver(ports)
    print(json.dumps(receiver.ports), flush=True)
    for line in sys.stdin:
        if line.strip() == "dump":
            print(json.dumps(dict(receiver.arrivals)), flush=True)
    return 0


class Receiver:
    """A minimal HTTP/1.1 server on many ports in one asyncio loop: records arrival times."""

    def __init__(self, ports: int) -> None:
        self.arrivals: dict[str, float] = {}
        self.ports: list[int] = []
        self._count = ports
        self._ready = threading.Event()
        threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True).start()
        self._ready.wait(10)

    async def _main(self) -> None:
        for _ in range(self._count):
            server = await asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=512)
            self.ports.append(server.sockets[0].getsockname()[1])
        self._ready.set()
        await asyncio.Event().wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = dict(
                    line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if ": " in line
                )
                lower = {k.lower(): v for k, v in headers.items()}
                await reader.readexactly(int(lower.get("content-length", "0")))
                self.arrivals[lower.get("idempotency-key", "")] = time.perf_counter()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def _settings(tmp: Path, **alerts: object) -> Settings:
    return load_settings(
        data_dir=tmp,
        db={"url": str(tmp / "bench.db")},
        alerts={"allow_private_targets": True, **alerts},
    )


def _store(settings: Settings, instruments: int) -> Store:
    store = open_store(settings.database_url())
    with store.write() as s:
        for i in range(instruments):
            save_instrument(
                s, InstrumentSpec(symbol=f"S{i}", name=f"Name {i}", asset_class="Stocks")
            )
    return store


def latency(tmp: Path, receiver: RemoteReceiver) -> list[float]:
    settings = _settings(tmp / "lat")
    store = _store(settings, 20)
    for r in range(1000):
        target = f"http://127.0.0.1:{receiver.ports[r % 100]}/hook"
        spec = RuleSpec(
            "move", "webhook", target, scope=f"instrument:S{r % 20}", params={"pct": 0.01}
        )
        add_rule(store, settings, spec, api_key_id=None, now=T0)
    stop = threading.Event()
    dispatcher = Dispatcher(store, settings.alerts)
    thread = threading.Thread(target=dispatcher.run, args=(stop,), daemon=True)
    thread.start()
    committed: dict[int, float] = {}
    for e in range(40):
        data = {"symbol": f"S{e % 20}", "bar": f"b{e}", "close": 101.0, "prev_close": 100.0}
        with store.write() as s:
            evaluate_event(s, "bar", data, now=T0 + timedelta(minutes=e))
        committed[e] = time.perf_counter()
        time.sleep(0.05)
    with store.read() as s:
        keys = [
            (k, t.minute) for k, t in s.execute(select(Alert.idempotency_key, Alert.created_at))
        ]
    deadline = time.monotonic() + 60
    arrivals = receiver.arrivals
    while len([k for k, _ in keys if k in arrivals]) < len(keys) and time.monotonic() < deadline:
        time.sleep(0.2)
        arrivals = receiver.arrivals
    stop.set()
    thread.join(30)
    store.close()
    return [(arrivals[k] - committed[m]) * 1000 for k, m in keys if k in arrivals]


def _queue(tmp: Path, name: str, port: int, n: int, **alerts: object) -> tuple[Settings, Store]:
    settings = _settings(tmp / name, **alerts)
    store = _store(settings, 1)
    for _ in range(100):
        spec = RuleSpec(
            "brief", "webhook", f"http://127.0.0.1:{port}/t", frequency="cooldown", cooldown_s=1
        )
        add_rule(store, settings, spec, api_key_id=None, now=T0)
    with store.write() as s:
        for i in range(n // 100):
            evaluate_event(
                s, "brief", {"symbol": "S0", "headline": f"h{i}"}, now=T0 + timedelta(seconds=2 * i)
            )
    return settings, store


def throughput(tmp: Path, receiver: RemoteReceiver, n: int) -> float:
    settings, store = _queue(
        tmp, "ours", receiver.ports[0], n, per_target_concurrency=64, per_target_rate_per_s=1e6
    )
    started = time.perf_counter()
    stats = Dispatcher(store, settings.alerts).run(threading.Event(), until_idle=True)
    elapsed = time.perf_counter() - started
    store.close()
    assert stats.delivered == n, stats
    return n / elapsed


def baseline(tmp: Path, receiver: RemoteReceiver, n: int) -> float:
    """The field's plain outbox worker: one row at a time, POST, mark delivered."""
    _, store = _queue(tmp, "base", receiver.ports[1], n)
    started = time.perf_counter()
    done = 0
    with httpx.Client() as client:
        while True:
            with store.write() as s:
                row = s.scalars(
                    select(Outbox).where(Outbox.status == "pending").order_by(Outbox.id).limit(1)
                ).first()
                if row is None:
                    break
                oid, target, body = row.id, row.target, str(row.payload["body"])
            response = client.post(
                target, content=body, headers={"Content-Type": "application/json"}
            )
            with store.write() as s:
                status = "delivered" if response.is_success else "pending"
                s.execute(update(Outbox).where(Outbox.id == oid).values(status=status))
            done += 1
    elapsed = time.perf_counter() - started
    store.close()
    return done / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=5000)
    parser.add_argument("--baseline-alerts", type=int, default=1000)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the receiver process
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    receiver = RemoteReceiver(100)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        lat = sorted(latency(tmp, receiver))
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        print(
            f"latency bar closed -> webhook received, 1,000 rules, 100 targets, {len(lat)} alerts:"
        )
        print(f"  p50 {p50:.1f} ms   p99 {p99:.1f} ms   max {lat[-1]:.1f} ms   (goal p99 < 500 ms)")
        ours = throughput(tmp, receiver, args.alerts)
        base = baseline(tmp, receiver, args.baseline_alerts)
        print(
            f"dispatcher: {ours:,.0f} deliveries/s over {args.alerts} alerts to one target (goal >= 1,000/s)"
        )
        print(
            f"baseline (sequential outbox worker, httpx): {base:,.0f} deliveries/s over {args.baseline_alerts}"
        )
        print(f"ratio: {ours / base:.1f}x")
    receiver.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
