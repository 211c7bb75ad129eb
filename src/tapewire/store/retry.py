"""Waiting out a database that is briefly unavailable (PostgreSQL restarted, a connection cut).

Only for work that is safe to run again from the start: one read, or one write transaction
whose rollback leaves nothing behind (``Store.write`` commits all or nothing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """A lost or refused connection (not a constraint, a syntax error or bad data)."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def retry_db(
    fn: Callable[[], T],
    *,
    what: str,
    timeout_s: float = 120.0,
    base_s: float = 0.5,
    cap_s: float = 5.0,
) -> T:
    """``fn()``, called again (backoff ``base_s`` doubling to ``cap_s``) while it fails on a
    transient database error, for at most ``timeout_s``; then the error is raised."""
    deadline = time.monotonic() + timeout_s
    delay = base_s
    while True:
        try:
            return fn()
        except DBAPIError as exc:
            if not is_transient(exc) or time.monotonic() + delay > deadline:
                raise
            first = str(exc.orig or exc).splitlines()[0][:200]
            log.warning("%s: database unavailable (%s); retrying in %.1f s", what, first, delay)
            time.sleep(delay)
            delay = min(cap_s, delay * 2)
