"""A scriptable loopback HTTP server for fault tests: fixed responses per path, real sockets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before answering (slow server)
    drip_s: float = 0.0  # sleep between 16-byte pieces of the body (slow-loris)
    stream_bytes: int = 0  # send this many bytes chunked, no Content-Length (endless-ish body)
    declared_length: int | None = None  # a Content-Length that may lie (e.g. 500 MB)
    hits: int = 0
    arrivals: list[float] = field(default_factory=list)  # time.monotonic() of each request
    in_flight: int = 0
    most_in_flight: int = 0  # the most requests this route answered at once


_COUNT_LOCK = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: dict[str, Route] = {}  # noqa: RUF012 (replaced per server by a subclass)

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        route = self.routes.get(self.path.split("?")[0]) or Route(404, b"not found")
        with _COUNT_LOCK:
            route.hits += 1
            route.arrivals.append(time.monotonic())
            route.in_flight += 1
            route.most_in_flight = max(route.most_in_flight, route.in_flight)
        try:
            self._answer(route)
        finally:
            with _COUNT_LOCK:
                route.in_flight -= 1

    def _answer(self, route: Route) -> None:
        if route.delay_s:
            time.sleep(route.delay_s)
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        try:
            if route.stream_bytes:
                self._send_chunked(route)
            else:
                self._send_body(route)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up, as it should

    def _send_body(self, route: Route) -> None:
        length = route.declared_length if route.declared_length is not None else len(route.body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if route.status == 304:
            return
        if not route.drip_s:
            self.wfile.write(route.body)
            return
        for i in range(0, len(route.body), 16):
            self.wfile.write(route.body[i : i + 16])
            self.wfile.flush()
            time.sleep(route.drip_s)

    def _send_chunked(self, route: Route) -> None:
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        piece = b"<x>" + b"a" * 65_530 + b"</x>"
        sent = 0
        while sent < route.stream_bytes:
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sent += len(piece)
        self.wfile.write(b"0\r\n\r\n")


@contextmanager
def serve_routes(routes: dict[str, Route]) -> Iterator[str]:
    """Serve ``routes`` (path -> Route) on 127.0.0.1; yields the base URL."""
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)
        httpd.server_close()
