"""A loopback HTTP server over the demo world's files, with real ETag/304 and gzip."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Mapping
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

LAST_MODIFIED = formatdate(0, usegmt=True)  # fixed: the content depends on (seed, as_of) only


def request_key(target: str) -> str:
    """Path, plus ``?s=VALUE`` when the query names a symbol (other parameters are ignored)."""
    parts = urlsplit(target)
    symbol = parse_qs(parts.query).get("s")
    return f"{parts.path}?s={symbol[0]}" if symbol else parts.path


class LoopbackServer:
    """Serves ``files`` (key -> (body, content type)) on 127.0.0.1 in a daemon thread."""

    def __init__(
        self, files: Mapping[str, tuple[bytes, str]], *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._files = dict(files)
        # each file's ETag and gzip body, made once up front (a web server serves precompressed files;
        # hashing and compressing per request made this stand-in for the internet the largest
        # CPU user but one in bench/scale, on the same two cores as the workers it feeds)
        self._etags = {
            k: '"' + hashlib.sha256(b).hexdigest()[:20] + '"' for k, (b, _) in self._files.items()
        }
        self._gzipped = {k: gzip.compress(b, mtime=0) for k, (b, _) in self._files.items()}
        self._lock = threading.Lock()
        self.requests: list[tuple[str, int]] = []
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="demo-loopback", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _log(self, key: str, status: int) -> None:
        with self._lock:
            self.requests.append((key, status))

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:  # noqa: C901 (nested class counted whole)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_HEAD(self) -> None:
                self._respond(head=True)

            def do_GET(self) -> None:
                self._respond(head=False)

            def _respond(self, *, head: bool) -> None:
                key = request_key(self.path)
                found = server._files.get(key)
                if found is None:
                    self._send(404, b"not found\n", "text/plain", {}, head)
                    server._log(key, 404)
                    return
                body, ctype = found
                etag = server._etags[key]
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", None, {"ETag": etag}, head=True)
                    server._log(key, 304)
                    return
                headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED, "Vary": "Accept-Encoding"}
                if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                    body = server._gzipped[key]
                    headers["Content-Encoding"] = "gzip"
                self._send(200, body, ctype, headers, head)
                server._log(key, 200)

            def _send(
                self,
                status: int,
                body: bytes,
                ctype: str | None,
                headers: dict[str, str],
                head: bool,
            ) -> None:
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head and status != 304:
                    self.wfile.write(body)

        return Handler
