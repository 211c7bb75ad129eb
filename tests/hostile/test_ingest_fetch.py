"""Issue #17 items 3, 4, 7, 15 and 16 against real loopback sockets: slow headers, the total
timeout over retries, compression bombs (generated here), DNS rebinding, and local files that
are not regular files (``/dev/zero``, a FIFO)."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tapewire.config import Settings
from tapewire.errors import BadInputError, TemporarySourceError
from tapewire.net import HttpClient
from tests.support.cli import tapewire
from tests.support.loopback import Route, serve_routes

FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
    b"<item><title>One</title><link>https://wire.example/1</link></item></channel></rss>"
)
PUBLIC = "93.184.215.14"  # a global address (never connected to here)


def tuned(settings: Settings, **http: object) -> Settings:
    return settings.model_copy(update={"http": settings.http.model_copy(update=http)})


# ---------------------------------------------------------------- slow headers, total timeout


@contextmanager
def dribbling_headers(piece_s: float = 0.05) -> Iterator[tuple[str, list[int]]]:
    """A server that answers ``HTTP/1.1 200 OK`` and then one header byte every ``piece_s``,
    for ever: each read is in time, the headers never end. Yields its URL and its hit count."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    hits = [0]
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.is_set():
                    conn.sendall(b"X-Slow: " + b"a" * 1 + b"\r\n")
                    time.sleep(piece_s)
            except OSError:
                return  # the client hung up, as it should

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            hits[0] += 1
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/feed.xml", hits
    finally:
        stop.set()
        server.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("retries", [0, 3])
def test_headers_dribbled_for_ever_end_at_the_total_timeout(
    settings: Settings, retries: int
) -> None:
    """Before: the total deadline started after the headers, so this fetch never ended."""
    settings = tuned(settings, timeout_s=5.0, total_timeout_s=1.0, retries=retries)
    with dribbling_headers() as (url, hits), HttpClient(settings.http) as http:
        started = time.monotonic()
        with pytest.raises(TemporarySourceError, match="over the total timeout of 1s"):
            http.fetch(url)
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 2.0, elapsed  # retries included: the total is for the whole fetch
    assert hits[0] == 1  # no time was left for a retry


@pytest.mark.timeout(30)
def test_retries_fit_in_the_total_timeout(settings: Settings) -> None:
    """Before: each attempt had its own total timeout and the backoff came on top (a 10 s fetch
    took 38-70 s). Now the waits between attempts count, and a retry that cannot fit is not
    made: the last error is reported."""
    settings = tuned(settings, total_timeout_s=2.0, retries=6)
    route = Route(status=503)  # no Retry-After: the backoff is 0.5, 1, 2, 4... s
    with serve_routes({"/down.xml": route}) as base, HttpClient(settings.http) as http:
        started = time.monotonic()
        with pytest.raises(TemporarySourceError, match="HTTP 503"):
            http.fetch(base + "/down.xml")
        elapsed = time.monotonic() - started
    assert elapsed < 2.5, elapsed
    assert route.hits == 3  # tries at 0 s, 0.5 s and 1.5 s; the next wait (2 s) cannot fit


# ---------------------------------------------------------------- compression layers


def gzip_bytes(data: bytes) -> bytes:
    encoder = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return encoder.compress(data) + encoder.flush()


def gzip_of_zeros(megabytes: int) -> bytes:
    """``megabytes`` MB of zeros gzipped, without compressing them all: after a full flush the
    deflate state is reset, so every 1 MB block compresses to the same bytes; the blocks are
    repeated and the gzip header and trailer (CRC-32, size) written around them."""
    block = bytes(1 << 20)
    encoder = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = encoder.compress(block) + encoder.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    size = (megabytes << 20) & 0xFFFFFFFF
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + piece * megabytes + encoder.flush() + struct.pack("<II", crc, size)


def bomb(layers: int) -> bytes:
    body = gzip_of_zeros(1024)  # 1 GB of zeros in about 1 MB
    for _ in range(layers - 1):
        body = gzip_bytes(body)
    return body


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_a_compression_bomb_is_refused_at_the_cap(settings: Settings, layers: int) -> None:
    """1 GB of zeros, gzipped ``layers`` times (``Content-Encoding: gzip, gzip`` ...)."""
    body = bomb(layers)
    route = Route(body=body, headers={"Content-Encoding": ", ".join(["gzip"] * layers)})
    settings = tuned(settings, max_body_bytes=5_000_000)
    with (
        serve_routes({"/bomb.xml": route}) as base,
        HttpClient(settings.http) as http,
        pytest.raises(BadInputError, match="over the 5000000-byte cap"),
    ):
        http.fetch(base + "/bomb.xml")
    assert len(body) < 1_100_000


FETCH_UNDER_LIMIT = """
import resource, sys
limit = int(sys.argv[2]) << 20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from tapewire.config import load_settings
from tapewire.net import HttpClient
settings = load_settings(http={"max_body_bytes": 5_000_000, "allow_private_urls": True})
try:
    HttpClient(settings.http).fetch(sys.argv[1])
except Exception as exc:
    print(type(exc).__name__, exc)
"""


@pytest.mark.timeout(120)
def test_a_gzip_gzip_bomb_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """Before: ``gzip, gzip`` decoded its inner layer whole (a 1.8 KB answer grew to 2.18 GB);
    now the fetch ends with the cap's error in a process limited to 400 MB of address space."""
    route = Route(body=bomb(2), headers={"Content-Encoding": "gzip, gzip"})
    with serve_routes({"/bomb.xml": route}) as base:
        done = subprocess.run(
            [sys.executable, "-c", FETCH_UNDER_LIMIT, base + "/bomb.xml", "400"],
            capture_output=True,
            text=True,
            timeout=100,
            check=False,
            env={**os.environ, "HOME": str(tmp_path)},
        )
    assert done.stdout.startswith("BadInputError body over the 5000000-byte cap"), (
        done.stdout,
        done.stderr[-2000:],
    )


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip_bytes),
        ("gzip, gzip", lambda b: gzip_bytes(gzip_bytes(b))),
        ("x-gzip", gzip_bytes),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("identity, gzip", gzip_bytes),
        ("gzip", lambda b: gzip_bytes(b[:100]) + gzip_bytes(b[100:])),  # two gzip members
    ],
    ids=["gzip", "gzip-gzip", "x-gzip", "deflate-zlib", "deflate-raw", "identity", "members"],
)
def test_every_layer_is_decoded(settings: Settings, encoding: str, encode: Any) -> None:
    route = Route(body=encode(FEED * 50), headers={"Content-Encoding": encoding})
    with serve_routes({"/feed.xml": route}) as base, HttpClient(settings.http) as http:
        assert http.fetch(base + "/feed.xml").body == FEED * 50


@pytest.mark.parametrize(
    ("encoding", "body", "reason"),
    [
        ("br", b"\x0b\x02\x80hello\x03", "Content-Encoding 'br'"),
        ("gzip", b"not gzip at all", "cannot decode"),
        ("gzip, gzip, gzip, gzip, gzip", gzip_bytes(b"x"), "5 encodings"),
    ],
    ids=["unsupported", "not-gzip", "too-many-layers"],
)
def test_an_undecodable_body_is_bad_input(
    settings: Settings, encoding: str, body: bytes, reason: str
) -> None:
    route = Route(body=body, headers={"Content-Encoding": encoding})
    with (
        serve_routes({"/feed.xml": route}) as base,
        HttpClient(settings.http) as http,
        pytest.raises(BadInputError, match=reason),
    ):
        http.fetch(base + "/feed.xml")


# ---------------------------------------------------------------- DNS rebinding


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[str] = []  # noqa: RUF012 (one list per server, set by the test)

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Host", ""))
        self.send_response(200)
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)


@contextmanager
def recording_server() -> Iterator[tuple[int, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def fake_dns(monkeypatch: pytest.MonkeyPatch, name: str, answers: list[str]) -> list[str]:
    """``name`` resolves to ``answers`` in turn (the last one for ever after), as a rebinding
    DNS server with a zero TTL would answer; other names resolve as usual. Returns the log of
    answers given. (The stdlib resolver is replaced, not tapewire's code.)"""
    real = socket.getaddrinfo
    given: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != name:
            return real(host, port, *args, **kwargs)
        address = answers[min(len(given), len(answers) - 1)]
        given.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return given


def test_a_rebinding_name_cannot_reach_a_private_address(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name answers a public address to the guard, then 127.0.0.1: before, the connection
    resolved again on its own and reached the loopback server."""
    with recording_server() as (port, seen):
        given = fake_dns(monkeypatch, "rebind.test", [PUBLIC, "127.0.0.1"])
        settings = tuned(settings, allow_private_urls=False, retries=0)
        with (
            HttpClient(settings.http) as http,
            pytest.raises(BadInputError, match="private or loopback"),
        ):
            http.fetch(f"http://rebind.test:{port}/feed.xml")
    assert seen == []  # nothing reached the private address
    assert given[0] == PUBLIC


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name resolved once for the connection: the request reaches the address the resolver
    gave, with the name (not the address) in the Host header."""
    with recording_server() as (port, seen):
        given = fake_dns(monkeypatch, "pinned.test", ["127.0.0.1"])
        with HttpClient(tuned(settings, allow_private_urls=True).http) as http:
            assert http.fetch(f"http://pinned.test:{port}/feed.xml").body == FEED
    assert seen == [f"pinned.test:{port}"]
    assert len(given) == 1  # resolved once, for the connection


# ---------------------------------------------------------------- local files


@pytest.mark.timeout(20)
def test_dev_zero_and_a_fifo_are_refused_at_once(settings: Settings, tmp_path: Path) -> None:
    """Before: /dev/zero was read until MemoryError, and a FIFO without a writer hung for ever."""
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    with HttpClient(tuned(settings, max_body_bytes=1_000_000).http) as http:
        for path in ("/dev/zero", str(fifo), fifo.as_uri()):
            started = time.monotonic()
            with pytest.raises(BadInputError, match="not a regular file"):
                http.fetch(path)
            assert time.monotonic() - started < 1.0


@pytest.mark.timeout(120)
def test_ingest_dev_zero_is_a_clean_error_on_the_command_line(tmp_path: Path) -> None:
    done = tapewire(tmp_path, "ingest", "/dev/zero", timeout=60)
    assert done.returncode == 1, done.stderr
    assert "not a regular file" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
