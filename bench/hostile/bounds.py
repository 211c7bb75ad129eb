"""Measure the ingest side's resource bounds against hostile inputs (issue #17), each case in a
fresh subprocess so its peak RSS is its own: a gzip/gzip bomb, headers dribbled for ever,
a server that fails with 503 for ever (retries), and 10,000 near-identical titles clustered.

    .venv/bin/python bench/hostile/bounds.py            # this checkout
    PYTHONPATH=/path/to/other/src .venv/bin/python bench/hostile/bounds.py   # another version

Prints one line per case: wall seconds, peak RSS in MB, and the outcome.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUARD_S = 60  # a case still running after this is reported as "no bound" and killed

CHILD = """
import resource, sys, time
case, arg = sys.argv[1], sys.argv[2]
started = time.monotonic()
try:
    if case == "cluster":
        from datetime import UTC, datetime, timedelta
        from tapewire.enrich.stories import StoryInput, find_stories
        base = datetime(2026, 11, 20, tzinfo=UTC)
        n = int(arg)
        started = time.monotonic()
        items = [StoryInput(i, f"Headline number {i} about markets", base + timedelta(seconds=i),
                            "Wire", frozenset()) for i in range(n)]
        outcome = f"{len(find_stories(items))} stories"
    else:
        from tapewire.config import load_settings
        from tapewire.net import HttpClient
        http = {"allow_private_urls": True, "max_body_bytes": 5_000_000, "timeout_s": 5.0,
                "total_timeout_s": 2.0, "retries": 6}
        with HttpClient(load_settings(http=http).http) as client:
            started = time.monotonic()  # the fetch alone, not the imports
            outcome = f"{len(client.fetch(arg).body)} bytes"
except BaseException as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:90]}"
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{time.monotonic() - started:.2f}\\t{rss:.0f}\\t{outcome}")
"""


def gzip_of_zeros(megabytes: int) -> bytes:
    block = bytes(1 << 20)
    encoder = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = encoder.compress(block) + encoder.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, (megabytes << 20) & 0xFFFFFFFF)
    return (
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + piece * megabytes + encoder.flush() + trailer
    )


def gzip_bytes(data: bytes) -> bytes:
    encoder = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return encoder.compress(data) + encoder.flush()


BOMB = gzip_bytes(gzip_of_zeros(512))  # 512 MB of zeros, gzipped twice


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        try:
            if self.path == "/bomb":
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip, gzip")
                self.send_header("Content-Length", str(len(BOMB)))
                self.end_headers()
                self.wfile.write(BOMB)
            elif self.path == "/dribble":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for _ in range(GUARD_S * 20):
                    self.wfile.write(b"X-Slow: a\r\n")
                    self.wfile.flush()
                    time.sleep(0.05)
            else:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
        except OSError:
            return


def run(case: str, arg: str) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, case, arg],
            capture_output=True,
            text=True,
            timeout=GUARD_S,
            check=False,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return f">{GUARD_S}\t?\tstill running: killed (no bound)"
    return done.stdout.strip() or done.stderr.strip()[-200:]


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    socket.setdefaulttimeout(None)
    print(f"compressed bomb: {len(BOMB):,} bytes; cap 5,000,000 bytes; total timeout 2 s")
    print("case\tseconds\tpeak_rss_MB\toutcome")
    for case, arg in [
        ("fetch gzip,gzip bomb (512 MB)", f"{base}/bomb"),
        ("fetch dribbled headers", f"{base}/dribble"),
        ("fetch 503 for ever, 6 retries", f"{base}/down"),
        ("cluster 3,000 near-identical", "3000"),
        ("cluster 10,000 near-identical", "10000"),
    ]:
        kind = "cluster" if case.startswith("cluster") else "fetch"
        print(f"{case}\t{run(kind, arg)}", flush=True)
    server.shutdown()


if __name__ == "__main__":
    main()
