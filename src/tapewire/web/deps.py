"""Request-scoped access to the app's store and templates."""

from __future__ import annotations

from fastapi import Request
from fastapi.templating import Jinja2Templates

from tapewire.store import Store


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates
