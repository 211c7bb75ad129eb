"""Request-scoped access to the app's store, settings and templates; JSON with validators.

The dependencies are ``async def``: they only read ``app.state``, and FastAPI runs a plain
``def`` dependency in the thread pool (a thread hop per dependency per request, #16).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from tapewire.config import Settings
from tapewire.store import Store

P = ParamSpec("P")
R = TypeVar("R")


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def one_connection(endpoint: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Serve a ``def`` endpoint that reads the store: its queries share one store connection
    (``Store.connect`` is re-entrant: one pool checkout per request instead of one per query),
    and on SQLite it runs on the event loop instead of FastAPI's thread pool.

    The thread-pool hop of a sync endpoint cost 0.3-0.7 ms of server CPU per request under wrk
    (10,000 briefs: home 3.18 -> 2.46 ms, ``/healthz`` 0.48 -> 0.22), more than a cold page's
    SQLite reads, which read a local file and never wait on a network (#16). On PostgreSQL the
    endpoint keeps its thread: a slow round trip must not stall the loop."""

    @functools.wraps(endpoint)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = next(a for a in (*args, *kwargs.values()) if isinstance(a, Store))

        def connected() -> R:
            with store.connect():
                return endpoint(*args, **kwargs)

        return connected() if store.is_sqlite else await run_in_threadpool(connected)

    return wrapper


def site_url(request: Request) -> str:
    """The site's absolute base URL (``web.public_url`` or the request's own)."""
    settings: Settings = request.app.state.settings
    configured = settings.web.public_url
    return (configured or str(request.base_url)).rstrip("/")


def cached_body(request: Request, body: bytes, media_type: str, *, max_age: int = 30) -> Response:
    """A response with a strong ETag and Cache-Control; 304 when the client already has it."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type=media_type, headers=headers)


def json_body(request: Request, data: Any, *, max_age: int = 30) -> Response:
    body = json.dumps(data, separators=(",", ":"), default=str).encode()
    return cached_body(request, body, "application/json", max_age=max_age)
