"""Webhooks: POST the rendered body, signed, to an address checked by the SSRF guard.

Headers: ``X-Tapewire-Timestamp`` (Unix seconds), ``X-Tapewire-Signature``
(``sha256=`` + hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the rule's secret) and
``Idempotency-Key`` (the same for every attempt of one alert). Answers: 2xx delivered; 3xx refused
(redirects are never followed: one could point at a private address), 4xx other than 408/429
dead-lettered at once; 5xx, 408, 429, timeouts and connection errors retried. At most
``alerts.max_response_bytes`` of an answer are read.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import time
from typing import ClassVar
from urllib.parse import urlsplit

from tapewire.alerts.channels.base import Job, Outcome
from tapewire.alerts.channels.http11 import Http11Pool, HttpError
from tapewire.alerts.targets import TargetError, is_public, resolve_target
from tapewire.config import AlertsSettings

SIGNATURE_HEADER = "X-Tapewire-Signature"
TIMESTAMP_HEADER = "X-Tapewire-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``timestamp.body`` (what a receiver recomputes)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance_s: int = 300
) -> bool:
    """The receiver's check (the documented snippet does the same): a fresh, matching signature."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= tolerance_s
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookChannel:
    name: ClassVar[str] = "webhook"

    def __init__(self, settings: AlertsSettings, pool: Http11Pool) -> None:
        self._settings, self._pool = settings, pool
        self._addresses: dict[tuple[str, int], tuple[float, str]] = {}

    async def _address(self, host: str, port: int) -> str:
        """The checked address of a host (cached for a minute; a lookup runs in a thread)."""
        cached = self._addresses.get((host, port))
        if cached and cached[0] > time.monotonic():
            return cached[1]
        allow = self._settings.allow_private_targets
        ips = await asyncio.to_thread(resolve_target, host, port, allow_private=allow)
        self._addresses[(host, port)] = (time.monotonic() + 60.0, str(ips[0]))
        return str(ips[0])

    async def send(self, job: Job) -> Outcome:
        started = time.perf_counter()
        try:
            return await asyncio.wait_for(self._post(job, started), self._settings.timeout_s)
        except TimeoutError:
            return _failed(started, None, f"timed out after {self._settings.timeout_s:g} s")
        except TargetError as exc:
            return _failed(started, None, str(exc), retry=False)
        except (HttpError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            return _failed(started, None, f"{type(exc).__name__}: {exc}"[:300])

    async def _post(self, job: Job, started: float) -> Outcome:
        parts = urlsplit(job.target)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ip = await self._address(host, port)
        body = str(job.payload.get("body", "")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Host": parts.netloc.rsplit("@", 1)[-1],
            "Content-Type": str(job.payload.get("content_type", "application/json")),
            TIMESTAMP_HEADER: timestamp,
            IDEMPOTENCY_HEADER: job.idempotency_key,
            "User-Agent": "tapewire-alerts/1",
        }
        if job.secret:
            headers[SIGNATURE_HEADER] = sign(job.secret, timestamp, body)
        answer = await self._pool.post(
            scheme=parts.scheme,
            host=host,
            ip=ip,
            port=port,
            target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            headers=headers,
            body=body,
            cap=self._settings.max_response_bytes,
        )
        self._check_peer(answer.peer)
        return _outcome(answer.status, started)

    def _check_peer(self, peer: str) -> None:
        """The connected address, checked again (DNS rebinding, a proxy in between)."""
        allow = self._settings.allow_private_targets
        if peer and not allow and not is_public(ipaddress.ip_address(peer)):
            raise TargetError(f"refused: connected to private address {peer}")


def _outcome(status: int, started: float) -> Outcome:
    latency = (time.perf_counter() - started) * 1000.0
    if 200 <= status < 300:
        return Outcome(True, status, latency)
    if 300 <= status < 400:
        return Outcome(False, status, latency, f"HTTP {status}: redirects are not followed", False)
    retry = status >= 500 or status in (408, 429)
    return Outcome(False, status, latency, f"HTTP {status}", retry)


def _failed(started: float, status: int | None, error: str, *, retry: bool = True) -> Outcome:
    return Outcome(False, status, (time.perf_counter() - started) * 1000.0, error, retry)
