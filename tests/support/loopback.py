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
    hits: int = 0


@contextmanager
def serve_routes(routes: dict[str, Route]) -> Iterator[str]:
    """Serve ``routes`` (path -> Route) on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            route = routes.get(self.path.split("?")[0])
            if route is None:
                route = Route(404, b"not found")
            route.hits += 1
            if route.delay_s:
                time.sleep(route.delay_s)
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if "Location" not in route.headers or route.body:
                self.send_header("Content-Length", str(len(route.body)))
            else:
                self.send_header("Content-Length", "0")
            self.end_headers()
            if route.status != 304:
                self.wfile.write(route.body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
