"""A small HTTP/1.1 keep-alive load generator: the bench's fallback when wrk is not available.

``processes`` processes each run an asyncio loop with ``connections / processes`` connections on
raw sockets; every connection sends GET, reads the status line, headers and Content-Length body,
and records the latency. Prints nothing; ``run`` returns (requests/s, p99 ms, non-2xx count).
It is slower than wrk (Python parses every response), so it reports a floor, not a ceiling.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from urllib.parse import urlsplit


async def _connection(
    host: str, port: int, request: bytes, until: float, latencies: list[float]
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    bad = 0
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            bad += not 200 <= status < 300
    finally:
        writer.close()
    return bad


async def _worker_async(url: str, connections: int, seconds: float) -> tuple[list[float], int]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n\r\n".encode()
    latencies: list[float] = []
    until = time.perf_counter() + seconds
    bad = await asyncio.gather(
        *(_connection(host, port, request, until, latencies) for _ in range(connections))
    )
    return latencies, sum(bad)


def _worker(args: tuple[str, int, float]) -> tuple[list[float], int]:
    return asyncio.run(_worker_async(*args))


def run(
    url: str, *, seconds: float, connections: int, processes: int = 2
) -> tuple[float, float, int]:
    """(requests/s, p99 ms, non-2xx responses) over ``seconds`` of load on ``url``."""
    per = max(1, connections // processes)
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_worker, [(url, per, seconds)] * processes)
    latencies = sorted(lat for lats, _ in results for lat in lats)
    bad = sum(b for _, b in results)
    if not latencies:
        return 0.0, float("nan"), bad
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000
    return len(latencies) / seconds, p99, bad  # each process loaded for ``seconds``
