"""Per-key rate limit of the alerts write API: a token bucket per API key, in memory.

Each key may make ``capacity`` write calls at once and gets ``capacity`` more per minute
(``alerts.api_writes_per_minute``). The buckets live in one web process: with
``serve --workers N`` a key may make up to N times the limit (documented).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_KEYS = 10_000  # buckets kept; the fullest (least recently used) are dropped first


class KeyRateLimiter:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill_per_s = per_minute / 60.0
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[int, tuple[float, float]] = {}  # key id -> (tokens, at)

    def take(self, key_id: int) -> float:
        """0.0 when the call may go ahead (one token taken), else the seconds to wait."""
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.pop(key_id, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.refill_per_s)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.refill_per_s
            self._buckets[key_id] = (tokens, now)  # re-inserted: dict order is recency
            if len(self._buckets) > MAX_KEYS:
                self._buckets.pop(next(iter(self._buckets)))
            return wait


def retry_after(wait_s: float) -> str:
    """The Retry-After header value (whole seconds, at least 1)."""
    return str(max(1, math.ceil(wait_s)))
