"""The channel protocol and what one delivery attempt returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True, slots=True)
class Job:
    """One claimed outbox row, with what its channel needs."""

    outbox_id: int
    rule_id: int
    channel: str
    target: str
    payload: dict[str, Any]
    idempotency_key: str
    secret: str | None
    attempt: int


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    status: int | None
    latency_ms: float
    error: str | None = None
    retry: bool = True  # False: a permanent failure, dead-lettered at once


class AlertChannel(Protocol):
    name: ClassVar[str]

    async def send(self, job: Job) -> Outcome: ...
