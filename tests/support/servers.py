"""Loopback servers for tests that need real HTTP: the real app under uvicorn in a thread, and a
wait for a server's request log."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from tapewire.demo.server import LoopbackServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve_app(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1; yields its base URL and stops it afterwards."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def logged(server: LoopbackServer, count: int) -> list[tuple[str, int]]:
    """The server's request log once it holds ``count`` entries: a handler logs a request just
    after answering it, so the client can be done a moment before the log is."""
    deadline = time.monotonic() + 5.0
    while len(server.requests) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return list(server.requests)
