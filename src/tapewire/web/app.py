"""The web app: server-rendered pages, a JSON API, Atom feeds and a live stream (read-only)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from tapewire import __version__
from tapewire.config import Settings
from tapewire.newsroom import queries
from tapewire.signals import queries as signals_queries
from tapewire.store import Store, open_store
from tapewire.web.chart import level_kind, price_decimals
from tapewire.web.middleware import ResponseCache, SecurityHeaders
from tapewire.web.routes import alerts, api, charts, docs, feeds, pages, scorecard, stream
from tapewire.web.wakeup import Wakeup, stream_url

WEB_DIR = Path(__file__).parent
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """Build the app; nothing is created at import time."""
    app = FastAPI(
        title="tapewire",
        version=__version__,
        description="Data-grounded market briefs: every number checked against its fact sheet.",
        docs_url=None,  # routes.docs serves ReDoc from the site itself (#15)
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store or open_store(
        settings.database_url(), busy_timeout_ms=settings.db.busy_timeout_ms
    )
    app.state.wakeup = Wakeup(stream_url(settings))  # cross-process stream fan-out (Redis)
    app.state.templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    app.state.templates.env.filters["safe_url"] = safe_url
    app.state.templates.env.filters["level_kind"] = level_kind  # "50-day average"
    app.state.templates.env.filters["price_decimals"] = price_decimals
    app.state.templates.env.auto_reload = False  # packaged templates: no stat per render
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    app.include_router(docs.router)
    app.include_router(pages.router)
    app.include_router(api.router, prefix="/api")
    app.include_router(charts.router, prefix="/api")
    app.include_router(stream.router, prefix="/api")
    app.include_router(feeds.router)
    app.include_router(scorecard.page_router)
    app.include_router(scorecard.api_router, prefix="/api")
    app.include_router(scorecard.feed_router)
    app.include_router(alerts.router)
    _install_error_handlers(app)

    if settings.web.page_cache_size > 0:  # 0: no cache, and no generation checks either
        app.add_middleware(
            ResponseCache,
            generation=lambda: (
                queries.latest_brief_id(app.state.store),
                signals_queries.latest_signal_id(app.state.store),
            ),
            size=settings.web.page_cache_size,
        )
    if "*" not in settings.web.allowed_hosts:  # outside the cache: a refused Host fills nothing
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.web.allowed_hosts)
    app.add_middleware(SecurityHeaders, headers=SECURITY_HEADERS)
    # Outermost: pages, JSON and the vendored chart library travel compressed to clients that
    # accept gzip (the library is ~3x smaller); the live stream is never buffered (Starlette
    # excludes text/event-stream), and clients without Accept-Encoding (wrk) pay nothing.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    return app


def safe_url(url: object) -> str:
    """Only http(s) links reach a page: a ``javascript:`` or ``data:`` URL from a feed becomes ``#``."""
    text = str(url or "").strip()
    return text if urlsplit(text).scheme.lower() in ("http", "https") else "#"


def _install_error_handlers(app: FastAPI) -> None:
    """API errors as JSON with one clear message; page errors as a small HTML page."""

    def render(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/") or request.url.path.startswith("/feeds/"):
            return JSONResponse(
                {"error": {"status": status, "message": message}}, status_code=status
            )
        templates: Jinja2Templates = request.app.state.templates
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = render(request, exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. a 429's Retry-After
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path"))
        return render(request, 422, f"invalid {where or 'request'}: {first.get('msg')}")
