"""Pure-ASGI middleware: security headers on every response, and a response cache for GET pages.

Pure ASGI (not ``BaseHTTPMiddleware``) because the latter costs a task and a body copy per
request. Briefs never change once written, so a cached page stays valid until a new brief is
stored: entries carry the newest brief and signal ids (the "generation") they were rendered under,
checked
against the store at most once per ``CHECK_EVERY_S`` per worker.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CHECK_EVERY_S = 1.0
CACHED_PREFIXES = ("/briefs/", "/api/briefs", "/feeds/", "/tags/", "/instruments/")
CACHED_PATHS = frozenset({"/"})  # the home page (its filters are in the query string)


def normalised_host(scope: Scope) -> str:
    """The request's Host as links are built from it: lower case, no trailing dot."""
    host: bytes = dict(scope.get("headers", [])).get(b"host", b"")
    return host.decode("latin-1").strip().lower().rstrip(".")


def cache_key(scope: Scope) -> str:
    """Scheme, normalised host, path and query: a page built for one Host (its Atom links, its
    absolute URLs) is never served to a request for another."""
    query = scope.get("query_string", b"").decode("latin-1")
    return (
        f"{scope.get('scheme', 'http')}://{normalised_host(scope)}{scope.get('path', '')}?{query}"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(h for h in self.headers if h[0] not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass(slots=True)
class _Entry:
    generation: Hashable
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


class ResponseCache:
    """Caches 200 answers to GET requests under ``CACHED_PREFIXES`` (and the home page) until a
    new brief or signal exists."""

    def __init__(self, app: ASGIApp, *, generation: Callable[[], Hashable], size: int) -> None:
        self.app, self._generation, self._size = app, generation, size
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._current: Hashable = None
        self._checked_at = -CHECK_EVERY_S

    def current_generation(self) -> Hashable:
        now = time.monotonic()
        if now - self._checked_at >= CHECK_EVERY_S:
            self._current, self._checked_at = self._generation(), now
        return self._current

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not (path in CACHED_PATHS or path.startswith(CACHED_PREFIXES))
        ):
            await self.app(scope, receive, send)
            return
        key = cache_key(scope)
        generation = self.current_generation()
        entry = self._entries.get(key)
        if entry is not None and entry.generation == generation:
            self._entries.move_to_end(key)
            await self._replay(entry, scope, send)
            return
        await self._fill(key, generation, scope, receive, send)

    async def _replay(self, entry: _Entry, scope: Scope, send: Send) -> None:
        if_none_match = dict(scope.get("headers", [])).get(b"if-none-match", b"")
        if entry.etag and entry.etag in if_none_match:
            headers = [(k, v) for k, v in entry.headers if k in (b"etag", b"cache-control")]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {"type": "http.response.start", "status": entry.status, "headers": entry.headers}
        )
        await send({"type": "http.response.body", "body": entry.body})

    async def _fill(
        self, key: str, generation: Hashable, scope: Scope, receive: Receive, send: Send
    ) -> None:
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and started.get("status") == 200:
                    self._store(key, generation, started, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: str, generation: Hashable, start: dict[str, Any], body: bytes) -> None:
        headers = list(start.get("headers", []))
        etag = dict(headers).get(b"etag")
        if etag is None:
            etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
            headers.append((b"etag", etag))
        self._entries[key] = _Entry(generation, 200, headers, body, etag)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
