"""App factory for ASGI servers: ``uvicorn --factory tapewire.web.asgi:app_from_env --workers N``.

Settings come from ``TAPEWIRE_*`` environment variables and, if set, the TOML file named by
``TAPEWIRE_CONFIG``; each worker process builds its own app and store.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from tapewire.config import load_settings
from tapewire.web.app import create_app


def app_from_env() -> FastAPI:
    config = os.environ.get("TAPEWIRE_CONFIG")
    return create_app(load_settings(Path(config) if config else None))
