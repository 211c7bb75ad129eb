"""Live-stream fan-out across web processes: Redis pub/sub wakes every process's stream.

The store stays the one source of events (the stream reads new briefs and signals from it, so
nothing is lost and every process sends the same ones); a message on ``CHANNEL`` only tells
each web process to look now instead of at its next ``web.stream_poll_s`` tick. A worker that
stores a brief or signals publishes one (``publish``). Without Redis the stream polls as before.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

from tapewire.config import Settings

log = logging.getLogger(__name__)
CHANNEL = "tapewire:stream"


def stream_url(settings: Settings) -> str | None:
    """``queue.stream_url``, else the broker when it is Redis, else None (poll only)."""
    url = settings.queue.stream_url or settings.queue.broker_url
    return url if url and url.startswith(("redis://", "rediss://", "unix://")) else None


def publish(settings: Settings, kind: str) -> None:
    """Tell every web process that a ``kind`` event is in the store (best effort: a web
    process that misses it still finds the event at its next poll)."""
    url = stream_url(settings)
    if url is None:
        return
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.publish(CHANNEL, kind)
        finally:
            client.close()
    except redis.RedisError as exc:
        log.warning("stream wake-up not published: %s", exc)


class Wakeup:
    """One subscriber thread per web process; ``wait`` returns early when a message comes."""

    def __init__(self, url: str | None) -> None:
        self._url = url
        self._loops: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.received = 0

    @property
    def enabled(self) -> bool:
        return self._url is not None

    def start(self) -> None:
        """Subscribe (once per process, on the first stream's first wait; a daemon thread)."""
        with self._lock:
            if self._url is None or self._thread is not None:
                return
            self._thread = threading.Thread(target=self._listen, name="stream-wakeup", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    async def wait(self, timeout_s: float) -> None:
        """Sleep up to ``timeout_s``, less if a wake-up message arrives meanwhile."""
        if self._url is None:
            await asyncio.sleep(timeout_s)
            return
        self.start()
        loop = asyncio.get_running_loop()
        with self._lock:
            event = self._loops.setdefault(loop, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout_s)
        except TimeoutError:
            return
        event.clear()

    def _wake(self) -> None:
        self.received += 1
        with self._lock:
            pairs = list(self._loops.items())
        for loop, event in pairs:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    def _listen(self) -> None:
        import redis

        url = self._url or ""
        while not self._stop.is_set():
            try:
                client: Any = redis.Redis.from_url(url, socket_connect_timeout=2)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while not self._stop.is_set():
                    if pubsub.get_message(timeout=1.0) is not None:
                        self._wake()
            except redis.RedisError as exc:  # Redis restarted: poll meanwhile, resubscribe
                log.warning("stream wake-up: %s; retrying", exc)
                time.sleep(1.0)
