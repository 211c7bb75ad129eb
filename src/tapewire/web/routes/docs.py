"""The API docs served by the site itself (#15): ReDoc 2 (it reads OpenAPI 3.1, which FastAPI
writes) from the bundle the ``fastapi-offline`` package ships (MIT; ReDoc itself is MIT), started
by our own script, so the page runs under the site's CSP (``script-src 'self'``: no CDN, no
inline script); and the favicon.

Why ReDoc and not Swagger UI: Swagger UI 5's operation rows nest a button in a button (axe
``nested-interactive``, serious) and its grey texts fail contrast; ReDoc's colours are set by
options (``static/api-redoc.js``). Swagger UI 4 (``swagger-ui-bundle``) cannot read OpenAPI 3.1."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent.parent / "static"

DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tapewire API</title>
<link rel="icon" href="/favicon.ico" sizes="32x32">
<link rel="stylesheet" href="/static/api-docs.css">
</head>
<body>
<header class="docs"><a href="/">tapewire</a> <span>API reference</span></header>
<main id="api-reference" data-openapi-url="/api/openapi.json"><p>Loading the API reference…</p></main>
<script src="/api/docs/redoc.standalone.js"></script>
<script src="/static/api-redoc.js"></script>
</body>
</html>
"""


def docs_assets_dir() -> Path:
    """The folder of ReDoc's and Swagger UI's bundles that ``fastapi-offline`` ships (found, not
    imported: we use its files, not its app factory)."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fastapi-offline is not installed (a dependency of tapewire)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@router.get("/api/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    return HTMLResponse(DOCS_HTML, headers={"Cache-Control": "public, max-age=300"})


REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"  # the one remote URL in the bundle


@functools.cache
def redoc_bundle() -> bytes:
    """ReDoc's standalone bundle as ``fastapi-offline`` ships it, with the one remote URL in it
    (ReDoc's logo, which the CSP would block) pointed at our favicon."""
    text = (docs_assets_dir() / "redoc.standalone.js").read_text(encoding="utf-8")
    return text.replace(REDOC_LOGO, "/favicon.ico").encode()


@router.get("/api/docs/redoc.standalone.js")
async def redoc_js() -> Response:
    return Response(
        redoc_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    return FileResponse(
        STATIC / "favicon.ico",
        media_type="image/x-icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )
