"""The web app: server-rendered pages and a JSON API over the store (read-only)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates

from tapewire import __version__
from tapewire.config import Settings
from tapewire.store import Store, open_store
from tapewire.web.routes import api, pages

TEMPLATES_DIR = Path(__file__).parent / "templates"


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """Build the app; nothing is created at import time."""
    app = FastAPI(
        title="tapewire", version=__version__, docs_url="/api/docs", openapi_url="/api/openapi.json"
    )
    app.state.settings = settings
    app.state.store = store or open_store(
        settings.database_url(), busy_timeout_ms=settings.db.busy_timeout_ms
    )
    app.state.templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    app.include_router(pages.router)
    app.include_router(api.router, prefix="/api")

    @app.middleware("http")
    async def security_headers(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
        )
        return response

    return app
