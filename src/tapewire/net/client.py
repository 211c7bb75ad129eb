"""The one HTTP client: timeouts, a body cap, retries with backoff, conditional GET, SSRF guard,
per-host politeness.

Every fetch in tapewire goes through :class:`HttpClient`, so politeness and safety rules live
in one place: one host gets at most ``http.per_host_connections`` requests in flight and
``http.per_host_delay_s`` between the starts of two requests, whatever number of threads fetch.
``file://`` URLs and plain paths are read from disk.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from tapewire.config import HttpSettings
from tapewire.errors import BadInputError, ConfigError, TemporarySourceError

log = logging.getLogger(__name__)

_TRUSTED = "tapewire.trusted_host"  # request extension: skip the private-address check once
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF_S = 30.0  # cap on one wait, whatever Retry-After says


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int  # 200, or 304 when the conditional GET says nothing changed
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


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
        self._client = httpx.Client(
            timeout=settings.timeout_s,
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip"},
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
        if _is_local_path(url):
            return _read_file(url, self._settings.max_body_bytes)
        self._check_target(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return self._get_once(url, headers)
            except TemporarySourceError as exc:
                if attempt >= self._settings.retries:
                    raise
                retry_after = getattr(exc, "retry_after", None)  # 0 means now, not "use backoff"
                wait = min(MAX_BACKOFF_S, 0.5 * 2**attempt if retry_after is None else retry_after)
                log.info("retrying %s in %.1fs: %s", url, wait, exc)
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

    def _get_once(self, url: str, headers: dict[str, str]) -> FetchResult:
        with (
            self._polite(url),
            _mapped_errors(url),
            self._client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == 304:
                return _result(response, b"")
            _raise_for_status(response)
            body = _read_capped(
                response,
                self._settings.max_body_bytes,
                time.monotonic() + self._settings.total_timeout_s,
            )
            return _result(response, body)

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
        deadline = time.monotonic() + timeout
        with _mapped_errors(url):
            response = self._client.send(request, stream=True, follow_redirects=False)
            try:
                if response.is_redirect:
                    raise BadInputError(
                        f"HTTP {response.status_code} redirect from {url}: not followed"
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
            raise BadInputError(f"invalid URL {url}: {exc}") from None
        if parts.scheme not in ("http", "https"):
            raise ConfigError(f"unsupported URL scheme {parts.scheme!r} in {url}")

    def _refuse_private(self, request: httpx.Request) -> None:
        """Runs before every request, so a public URL cannot redirect to a private one."""
        host = request.url.raw_host.decode("ascii")
        if self._settings.allow_private_urls or not host or request.extensions.get(_TRUSTED):
            return
        for address in _resolve(host):
            if not address.is_global:
                raise BadInputError(
                    f"refused {request.url}: {host} is a private or loopback address "
                    "(set http.allow_private_urls to allow it)"
                )


@contextmanager
def _mapped_errors(url: str) -> Iterator[None]:
    """httpx's errors as tapewire's: bad input is not retried, temporary failures are."""
    try:
        yield
    except httpx.TooManyRedirects:
        raise BadInputError(f"too many redirects fetching {url}") from None
    except httpx.DecodingError as exc:  # "Content-Encoding: gzip" over bytes that are not
        raise BadInputError(f"cannot decode the body of {url}: {exc}") from None
    except (httpx.InvalidURL, UnicodeError) as exc:  # a bad redirect; a 64-char host label
        raise BadInputError(f"invalid URL fetching {url}: {exc}") from None
    except httpx.TimeoutException:
        raise TemporarySourceError(f"timed out fetching {url}") from None
    except httpx.TransportError as exc:
        raise TemporarySourceError(f"cannot reach {url}: {exc}") from None


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
        error = TemporarySourceError(f"HTTP {status} from {response.url}")
        error.retry_after = _retry_after(response.headers.get("Retry-After"))  # type: ignore[attr-defined]
        error.status = status  # type: ignore[attr-defined]
        raise error
    if status >= 400:
        bad = BadInputError(f"HTTP {status} from {response.url}")
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


def _read_capped(response: httpx.Response, cap: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise BadInputError(f"body of {declared} bytes over the {cap}-byte cap: {response.url}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise BadInputError(f"body over the {cap}-byte cap: {response.url}")
        if time.monotonic() > deadline:
            raise TemporarySourceError(
                f"too slow: {response.url} still sending after the total timeout"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _is_local_path(url: str) -> bool:
    return url.startswith("file://") or "://" not in url


def _read_file(url: str, cap: int) -> FetchResult:
    path = Path(unquote(urlsplit(url).path)) if url.startswith("file://") else Path(url)
    try:
        size = path.stat().st_size
        if size > cap:
            raise BadInputError(f"file of {size} bytes over the {cap}-byte cap: {path}")
        body = path.read_bytes()
    except FileNotFoundError:
        raise BadInputError(f"no such file: {path}") from None
    except OSError as exc:
        raise BadInputError(f"cannot read {path}: {exc.strerror}") from None
    return FetchResult(str(path), 200, body, None, None, None)


def _resolve(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        raise TemporarySourceError(f"cannot resolve {host}: {exc}") from None
    except UnicodeError as exc:  # an empty or 64+ character label
        raise BadInputError(f"invalid host name {host}: {exc}") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
