"""Debian's Chromium driven by Playwright, for the site's browser tests (skipped without it)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest


@contextmanager
def chromium(executable: str, args: Sequence[str]) -> Iterator[Any]:
    """A launched Chromium (Playwright's sync API), closed afterwards."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=list(args))
        try:
            yield instance
        finally:
            instance.close()
