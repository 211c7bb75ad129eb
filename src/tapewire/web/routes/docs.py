"""The API docs served by the site itself (#15): Swagger UI 5 (it reads OpenAPI 3.1, which
FastAPI writes) from the files the ``fastapi-offline`` package ships (MIT; Swagger UI itself is
Apache-2.0), mounted at ``/static/swagger`` and started by our own script, so the page runs
under the site's CSP (``script-src 'self'``: no CDN, no inline script); and the favicon."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"

DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tapewire API</title>
<link rel="icon" href="/favicon.ico" sizes="32x32">
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<link rel="stylesheet" href="/static/api-docs.css">
</head>
<body>
<header class="docs"><a href="/">tapewire</a> <span>API reference</span></header>
<main id="swagger-ui" data-openapi-url="/api/openapi.json"><p>Loading the API reference…</p></main>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def swagger_ui_dir() -> Path:
    """The folder of Swagger UI's bundle and CSS that ``fastapi-offline`` ships (found, not
    imported: we use its files, not its app factory)."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fastapi-offline is not installed (a dependency of tapewire)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@router.get("/api/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    return HTMLResponse(DOCS_HTML, headers={"Cache-Control": "public, max-age=300"})


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    return FileResponse(
        STATIC / "favicon.ico",
        media_type="image/x-icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )
