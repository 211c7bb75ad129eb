"""The one HTTP client: timeouts, a body cap, retries with backoff, conditional GET, SSRF guard,
per-host politeness.

Every fetch in tapewire goes through :class:`HttpClient`, so politeness and safety rules live
in one place: one host gets at most ``http.per_host_connections`` requests in flight and
``http.per_host_delay_s`` between the starts of two requests, whatever number of threads fetch.
``file://`` URLs and plain paths are read from disk.
"""

from __future__ import annotations

import contextvars
import ipaddress
import logging
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from tapewire.config import HttpSettings
from tapewire.errors import BadInputError, ConfigError, TemporarySourceError
from tapewire.net.local import FetchResult, is_local_path, read_file
from tapewire.net.redact import install_log_redaction, redact_url

log = logging.getLogger(__name__)
install_log_redaction("httpx", "httpcore")  # httpx logs every request's URL at INFO

_TRUSTED = "tapewire.trusted_host"  # request extension: skip the private-address check once
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF_S = 30.0  # cap on one wait, whatever Retry-After says
DECODED_PIECE = 64 * 1024  # most bytes one decoding layer hands on at a time
# The wall-clock end of the fetch running in this thread (time.monotonic()): every socket
# operation (connect, TLS, each read of headers or body) gets at most what is left of it.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)
_TRUSTED_NOW: contextvars.ContextVar[bool] = contextvars.ContextVar("trusted", default=False)


class _HostSlot:
    """One host's politeness state: requests in flight and when the next may start."""

    def __init__(self, connections: int) -> None:
        self.in_flight = threading.BoundedSemaphore(connections)
        self.lock = threading.Lock()
        self.next_start = 0.0  # time.monotonic() before which no request to the host starts


class HttpClient:
    """Fetches bytes. ``fetch_*`` callers parse; this class never interprets a body."""

    def __init__(self, settings: HttpSettings, *, sleep: object = time.sleep) -> None:
        self._settings = settings
        self._sleep = sleep
        self._hosts: dict[str, _HostSlot] = {}
        self._hosts_lock = threading.Lock()
        self._client = _PinnedClient(
            _GuardedBackend(settings.allow_private_urls),
            timeout=settings.timeout_s,
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            event_hooks={"request": [self._refuse_private]},  # every hop, redirects included
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` (conditional when validators are given), with retries on 429/5xx/timeouts.

        Raises:
            TemporarySourceError: still failing after the retries.
            BadInputError: 4xx, a body over the cap, a redirect loop, a refused address.
        """
        if is_local_path(url):
            return read_file(url, self._settings.max_body_bytes)
        self._check_target(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        clock = _TotalClock(self._settings.total_timeout_s)
        attempt = 0
        while True:
            try:
                return self._get_once(url, headers, clock)
            except TemporarySourceError as exc:
                if attempt >= self._settings.retries:
                    raise
                retry_after = getattr(exc, "retry_after", None)  # 0 means now, not "use backoff"
                wait = min(MAX_BACKOFF_S, 0.5 * 2**attempt if retry_after is None else retry_after)
                if clock.left() <= wait:  # the total timeout covers the retries too
                    raise
                log.info("retrying %s in %.1fs: %s", redact_url(url), wait, exc)
                self._sleep(wait)  # type: ignore[operator]
                attempt += 1

    @contextmanager
    def _polite(self, url: str) -> Iterator[None]:
        """Hold one of the host's request slots, starting no sooner than its delay allows."""
        host = (urlsplit(url).hostname or "").lower()
        with self._hosts_lock:
            slot = self._hosts.setdefault(host, _HostSlot(self._settings.per_host_connections))
        with slot.in_flight:
            with slot.lock:
                wait = slot.next_start - time.monotonic()
                slot.next_start = max(time.monotonic(), slot.next_start) + (
                    self._settings.per_host_delay_s
                )
            if wait > 0:
                self._sleep(wait)  # type: ignore[operator]
            yield

    def _get_once(self, url: str, headers: dict[str, str], clock: _TotalClock) -> FetchResult:
        with self._polite(url):
            clock.start()  # a wait for the host's slot is politeness, not the host's slowness
            token = _DEADLINE.set(clock.deadline)
            try:
                with (
                    _mapped_errors(url, clock),
                    self._client.stream("GET", url, headers=headers) as response,
                ):
                    if response.status_code == 304:
                        return _result(response, b"")
                    _raise_for_status(response)
                    body = _read_capped(response, self._settings.max_body_bytes, clock.deadline)
                    return _result(response, body)
            finally:
                _DEADLINE.reset(token)

    def post_json(
        self,
        url: str,
        payload: dict[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
        trusted_host: bool = False,
    ) -> FetchResult:
        """POST ``payload`` as JSON, once: no retries (a POST is not idempotent, so the caller
        decides) and no redirects (a 3xx is an error, so a trusted host cannot hand the request
        and its headers on to another one).

        Args:
            timeout_s: Connect/read timeout and the total time for the answer (default: the
                client's ``timeout_s``).
            max_bytes: Largest answer read (default: the client's ``max_body_bytes``).
            trusted_host: The URL comes from the operator's own configuration (e.g. a local
                LLM server), so its host may be private or loopback whatever
                ``http.allow_private_urls`` says. Applies to this one request only.

        Raises:
            TemporarySourceError: a timeout, 429/5xx, or the host cannot be reached.
            BadInputError: 4xx, a redirect, a body over the cap, a refused address.
        """
        self._check_target(url)
        timeout = timeout_s if timeout_s is not None else self._settings.timeout_s
        request = self._client.build_request(
            "POST",
            url,
            json=payload,
            headers=dict(headers or {}),
            timeout=timeout,
            extensions={_TRUSTED: trusted_host},
        )
        clock = _TotalClock(timeout)
        clock.start()
        deadline_token = _DEADLINE.set(clock.deadline)
        trusted_token = _TRUSTED_NOW.set(trusted_host)
        try:
            return self._post(request, url, clock, max_bytes)
        finally:
            _TRUSTED_NOW.reset(trusted_token)
            _DEADLINE.reset(deadline_token)

    def _post(
        self, request: httpx.Request, url: str, clock: _TotalClock, max_bytes: int | None
    ) -> FetchResult:
        deadline = clock.deadline
        with _mapped_errors(url, clock):
            response = self._client.send(request, stream=True, follow_redirects=False)
            try:
                if response.is_redirect:
                    raise BadInputError(
                        f"HTTP {response.status_code} redirect from {redact_url(url)}: not followed"
                    )
                _raise_for_status(response)
                body = _read_capped(response, max_bytes or self._settings.max_body_bytes, deadline)
                return _result(response, body)
            finally:
                response.close()

    def _check_target(self, url: str) -> None:
        try:
            parts = urlsplit(url)
        except ValueError as exc:  # "http://[::1"
            raise BadInputError(f"invalid URL {redact_url(url)}: {exc}") from None
        if parts.scheme not in ("http", "https"):
            raise ConfigError(f"unsupported URL scheme {parts.scheme!r} in {redact_url(url)}")

    def _refuse_private(self, request: httpx.Request) -> None:
        """Runs before every request, so a public URL cannot redirect to a private one."""
        host = request.url.raw_host.decode("ascii")
        if self._settings.allow_private_urls or not host or request.extensions.get(_TRUSTED):
            return
        for address in _resolve(host):
            if not address.is_global:
                raise BadInputError(
                    f"refused {redact_url(str(request.url))}: {host} is a private or loopback address "
                    "(set http.allow_private_urls to allow it)"
                )


class _TotalClock:
    """The total timeout of one fetch: connect, headers, body and every retry."""

    def __init__(self, total_s: float) -> None:
        self.total_s = total_s
        self.deadline: float | None = None

    def start(self) -> None:
        if self.deadline is None:
            self.deadline = time.monotonic() + self.total_s

    def left(self) -> float:
        return self.total_s if self.deadline is None else self.deadline - time.monotonic()

    def passed(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline


@contextmanager
def _mapped_errors(url: str, clock: _TotalClock | None = None) -> Iterator[None]:
    """httpx's errors as tapewire's: bad input is not retried, temporary failures are."""
    shown = redact_url(url)
    try:
        yield
    except httpx.TimeoutException:
        if clock is not None and clock.passed():
            raise TemporarySourceError(
                f"timed out fetching {shown}: too slow, over the total timeout of "
                f"{clock.total_s:g}s (connect, headers, body and retries)"
            ) from None
        raise TemporarySourceError(f"timed out fetching {shown}") from None
    except httpx.TooManyRedirects:
        raise BadInputError(f"too many redirects fetching {shown}") from None
    except httpx.DecodingError as exc:  # "Content-Encoding: gzip" over bytes that are not
        raise BadInputError(f"cannot decode the body of {shown}: {exc}") from None
    except (httpx.InvalidURL, UnicodeError) as exc:  # a bad redirect; a 64-char host label
        raise BadInputError(f"invalid URL fetching {shown}: {exc}") from None
    except httpx.TransportError as exc:
        raise TemporarySourceError(f"cannot reach {shown}: {exc}") from None


def _result(response: httpx.Response, body: bytes) -> FetchResult:
    return FetchResult(
        url=str(response.url),
        status=response.status_code,
        body=body,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        content_type=response.headers.get("Content-Type"),
    )


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status in RETRY_STATUSES:
        error = TemporarySourceError(f"HTTP {status} from {redact_url(str(response.url))}")
        error.retry_after = _retry_after(response.headers.get("Retry-After"))  # type: ignore[attr-defined]
        error.status = status  # type: ignore[attr-defined]
        raise error
    if status >= 400:
        bad = BadInputError(f"HTTP {status} from {redact_url(str(response.url))}")
        bad.status = status  # type: ignore[attr-defined]
        raise bad


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _read_capped(response: httpx.Response, cap: int, deadline: float | None) -> bytes:
    """The body, decoded through every ``Content-Encoding`` layer, at most ``cap`` bytes once
    decoded: each layer hands on at most ``DECODED_PIECE`` bytes at a time, so a gzip bomb
    (even ``gzip, gzip``) is refused after ``cap`` bytes, never expanded in memory."""
    declared = response.headers.get("Content-Length")
    shown = redact_url(str(response.url))
    if declared and declared.isdigit() and int(declared) > cap:
        raise BadInputError(f"body of {declared} bytes over the {cap}-byte cap: {shown}")
    pieces: Iterable[bytes] = _timed(response.iter_raw(), deadline, shown)
    for coding in reversed(_codings(response.headers.get("Content-Encoding"), shown)):
        pieces = _decoded(pieces, coding, shown)
    chunks: list[bytes] = []
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > cap:
            raise BadInputError(f"body over the {cap}-byte cap (after decoding): {shown}")
        chunks.append(piece)
    return b"".join(chunks)


def _timed(pieces: Iterable[bytes], deadline: float | None, shown: str) -> Iterator[bytes]:
    for piece in pieces:
        if deadline is not None and time.monotonic() > deadline:
            raise TemporarySourceError(
                f"timed out fetching {shown}: too slow, still sending after the total timeout"
            )
        yield piece


def _codings(header: str | None, shown: str) -> list[str]:
    """``Content-Encoding: gzip, gzip`` -> ["gzip", "gzip"] (in the order they were applied)."""
    codings = [c.strip().lower() for c in (header or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    unknown = [c for c in codings if c not in ("gzip", "x-gzip", "deflate")]
    if unknown:
        raise BadInputError(f"cannot decode the body of {shown}: Content-Encoding {unknown[0]!r}")
    if len(codings) > 4:
        raise BadInputError(f"cannot decode the body of {shown}: {len(codings)} encodings")
    return codings


def _decoded(pieces: Iterable[bytes], coding: str, shown: str) -> Iterator[bytes]:
    """One decoding layer, streaming, bounded: ``decompress(..., max_length)``."""
    wbits = zlib.MAX_WBITS | 16 if coding in ("gzip", "x-gzip") else zlib.MAX_WBITS
    decoder = zlib.decompressobj(wbits)
    first = True
    try:
        for piece in pieces:
            if first and coding == "deflate" and piece and (piece[0] & 0x0F) != 8:
                decoder = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
            first = first and not piece
            data = piece
            while data:
                if decoder.eof:  # another gzip member follows
                    data = decoder.unused_data + data if decoder.unused_data else data
                    decoder = zlib.decompressobj(wbits)
                out = decoder.decompress(data, DECODED_PIECE)
                data = decoder.unconsumed_tail
                if decoder.eof and decoder.unused_data:
                    data = decoder.unused_data + data
                    decoder = zlib.decompressobj(wbits)
                if out:
                    yield out
        while not decoder.eof:
            out = decoder.decompress(b"", DECODED_PIECE)
            if not out:
                break
            yield out
    except zlib.error as exc:
        raise BadInputError(f"cannot decode the body of {shown} ({coding}): {exc}") from None


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation ends by the fetch's total deadline, so a server
    dribbling its headers one byte at a time cannot hold a fetch past it."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the total timeout has passed")
    return left if timeout is None else min(timeout, left)


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves a host once, checks every address it got (the SSRF guard), and connects to a
    checked address: the guard and the connection see the same IP, so a DNS answer that
    changes between the two (DNS rebinding) cannot reach a private address. The host name is
    kept for the Host header and TLS (SNI and certificate checks)."""

    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host)
        if not self._allow_private and not _TRUSTED_NOW.get():
            for address in addresses:
                if not address.is_global:
                    raise BadInputError(
                        f"refused {host}: it resolves to {address}, a private or loopback "
                        "address (set http.allow_private_urls to allow it)"
                    )
        last: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in dict.fromkeys(addresses):
            try:
                stream = self._inner.connect_tcp(
                    str(address),
                    port,
                    _bounded(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream)
        raise last

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _PinnedClient(httpx.Client):
    """An httpx client whose direct connections go through :class:`_GuardedBackend` (proxies
    from the environment are kept as httpx sets them up)."""

    def __init__(self, backend: _GuardedBackend, **kwargs: Any) -> None:
        self._backend = backend
        super().__init__(**kwargs)

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.BaseTransport:
        # Seam: httpx has no public way to give its transport a network backend, so the
        # transport's connection pool is replaced by one using ours (httpx 0.27-0.29).
        transport = super()._init_transport(*args, **kwargs)
        if isinstance(transport, httpx.HTTPTransport):
            transport._pool = httpcore.ConnectionPool(
                ssl_context=httpx.create_ssl_context(),
                max_connections=100,
                max_keepalive_connections=20,
                keepalive_expiry=5.0,
                network_backend=self._backend,
            )
        return transport


def _resolve(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        raise TemporarySourceError(f"cannot resolve {host}: {exc}") from None
    except UnicodeError as exc:  # an empty or 64+ character label
        raise BadInputError(f"invalid host name {host}: {exc}") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
