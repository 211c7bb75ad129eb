"""The one HTTP client every stage fetches through."""

from __future__ import annotations

from tapewire.net.client import FetchResult, HttpClient

__all__ = ["FetchResult", "HttpClient"]
