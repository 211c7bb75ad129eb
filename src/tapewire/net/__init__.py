"""The one HTTP client every stage fetches through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tapewire.net.local import FetchResult

if TYPE_CHECKING:
    from tapewire.net.client import HttpClient

__all__ = ["FetchResult", "HttpClient"]


def __getattr__(name: str) -> Any:
    """``HttpClient`` on first use: ``tapewire.net.redact`` (the CLI's error lines) must not
    load httpx (issue #16, start-up)."""
    if name == "HttpClient":
        from tapewire.net import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
