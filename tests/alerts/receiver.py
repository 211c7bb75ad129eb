"""A loopback webhook receiver that checks every signature, and behaviours for fault tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tapewire.alerts.channels.webhook import verify


@dataclass
class Received:
    path: str
    body: bytes
    key: str
    signature_ok: bool
    at: float


@dataclass
class Receiver:
    secrets: dict[str, str] = field(default_factory=dict)  # path -> secret
    delays: dict[str, float] = field(default_factory=dict)  # path -> seconds before answering
    arrived: list[str] = field(default_factory=list)  # idempotency keys, as requests arrive
    received: list[Received] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keys(self, path: str | None = None) -> list[str]:
        with self.lock:
            return [r.key for r in self.received if path is None or r.path == path]

    def wait(self, count: int, timeout: float = 15.0, path: str | None = None) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                got = [r for r in self.received if path is None or r.path == path]
            if len(got) >= count:
                return got
            time.sleep(0.01)
        return got


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:  # noqa: C901 (one behaviour per path)
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return None

        def handle(self) -> None:
            try:
                super().handle()
            except OSError:  # a killed sender resets the connection
                return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            try:
                body = self.rfile.read(length)
            except OSError:
                return
            if len(body) < length:  # the sender died mid-request: nothing was delivered
                return
            path = self.path.split("?")[0]
            secret = receiver.secrets.get(path, "")
            ok = verify(
                secret,
                self.headers.get("X-Tapewire-Timestamp", ""),
                body,
                self.headers.get("X-Tapewire-Signature", ""),
            )
            with receiver.lock:
                receiver.arrived.append(self.headers.get("Idempotency-Key", ""))
            if path in receiver.delays:
                time.sleep(receiver.delays[path])
            if path == "/hang":
                time.sleep(30)
            if path == "/slow":
                time.sleep(0.5)
            if path == "/fail":
                self._answer(500, b"no")
                return
            if path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with receiver.lock:
                key = self.headers.get("Idempotency-Key", "")
                receiver.received.append(Received(path, body, key, ok, time.monotonic()))
            if path == "/big":
                self.send_response(200)
                self.send_header("Content-Length", str(30 * 1024 * 1024))
                self.end_headers()
                chunk = b"x" * 65536
                try:
                    for _ in range(480):
                        self.wfile.write(chunk)
                except OSError:
                    pass
                return
            self._answer(200, b"ok")

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
