"""A small HTTP/1.1 client for webhooks: POST to an already-checked address, keep-alive per
target, answers read up to a cap.

Why not httpx here: on a loaded loopback its async pool spent most of the dispatcher's time
assigning requests to connections (and probing for trio on every request), capping delivery
at ~50/s; this client connects to the address the SSRF guard checked (no second DNS lookup)
and reports the connected peer for the guard's second check.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

MAX_HEAD = 65536  # bytes of status line + headers accepted


class HttpError(Exception):
    """A malformed answer or a broken connection."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    peer: str
    body_read: int


@dataclass(slots=True)
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    peer: str


class Http11Pool:
    def __init__(self) -> None:
        self._idle: dict[tuple[str, str, int, str], list[_Conn]] = {}
        self._tls = ssl.create_default_context()

    async def close(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.writer.close()
        self._idle.clear()

    async def post(
        self,
        *,
        scheme: str,
        host: str,
        ip: str,
        port: int,
        target: str,
        headers: dict[str, str],
        body: bytes,
        cap: int,
    ) -> Answer:
        """POST ``body`` to ``target`` (path and query) at ``ip``; ``host`` names it (Host, SNI)."""
        key = (scheme, ip, port, host)
        head = _request_head(target, headers, len(body))
        idle = self._idle.setdefault(key, [])
        while idle:  # a kept-alive connection the server may have closed meanwhile
            conn = idle.pop()
            try:
                return await self._exchange(key, conn, head, body, cap)
            except (HttpError, ConnectionError, asyncio.IncompleteReadError):
                conn.writer.close()
            except BaseException:  # cancelled (a timeout, a stop): never leave it open
                conn.writer.close()
                raise
        conn = await self._open(scheme, host, ip, port)
        try:
            return await self._exchange(key, conn, head, body, cap)
        except asyncio.IncompleteReadError as exc:
            conn.writer.close()
            raise HttpError("connection closed before a full answer") from exc
        except BaseException:
            conn.writer.close()
            raise

    async def _open(self, scheme: str, host: str, ip: str, port: int) -> _Conn:
        tls = self._tls if scheme == "https" else None
        reader, writer = await asyncio.open_connection(
            ip, port, ssl=tls, server_hostname=host if tls else None, limit=MAX_HEAD
        )
        peer = writer.get_extra_info("peername")
        return _Conn(reader, writer, str(peer[0]) if peer else "")

    async def _exchange(
        self, key: tuple[str, str, int, str], conn: _Conn, head: bytes, body: bytes, cap: int
    ) -> Answer:
        conn.writer.write(head + body)
        await conn.writer.drain()
        status, fields = await _read_head(conn.reader)
        read, reusable = await _read_body(conn.reader, fields, cap)
        if reusable and fields.get("connection", "").lower() != "close":
            self._idle.setdefault(key, []).append(conn)
        else:
            conn.writer.close()
        return Answer(status, conn.peer, read)


def _request_head(target: str, headers: dict[str, str], length: int) -> bytes:
    lines = [f"POST {target} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in headers.items() if "\r" not in v and "\n" not in v]
    lines += [f"Content-Length: {length}", "Connection: keep-alive", "", ""]
    return "\r\n".join(lines).encode("latin-1", "replace")


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError as exc:
        raise HttpError("answer headers too large") from exc
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise HttpError(f"not an HTTP/1.x answer: {lines[0][:80]!r}")
    fields = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return int(parts[1]), fields


async def _read_body(
    reader: asyncio.StreamReader, fields: dict[str, str], cap: int
) -> tuple[int, bool]:
    """Bytes read and whether the connection can be reused (the whole body was read)."""
    if "chunked" in fields.get("transfer-encoding", "").lower():
        return await _read_chunked(reader, cap)
    if "content-length" in fields:
        length = int(fields["content-length"] or 0)
        if length > cap:
            return 0, False  # not read at all: the connection is dropped
        await reader.readexactly(length)
        return length, True
    data = await reader.read(cap)  # no length: the answer ends when the server closes
    return len(data), False


async def _read_chunked(reader: asyncio.StreamReader, cap: int) -> tuple[int, bool]:
    read = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return read, True
        read += size
        if read > cap:
            return read, False
        await reader.readexactly(size + 2)
