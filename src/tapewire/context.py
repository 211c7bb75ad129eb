"""RunContext: what every stage's ``run(ctx)`` gets; StageReport: what it gives back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: importing the context loads neither httpx nor SQLAlchemy (#16)
    from tapewire.clock import Clock
    from tapewire.config import Settings
    from tapewire.net import HttpClient
    from tapewire.store import Store

log = logging.getLogger(__name__)
# (ctx, session, event kind, event data): runs inside the transaction that stores the event
EventHook = Callable[["RunContext", Any, str, dict[str, Any]], None]


def _evaluate_alerts(ctx: RunContext, session: Any, kind: str, data: dict[str, Any]) -> None:
    """The alert rules, imported on the first event: a command that stores no event (most of
    the CLI) never loads them (issue #16, start-up); alerts is downstream of the context."""
    from tapewire.alerts.evaluate import evaluate_in_run

    evaluate_in_run(ctx, session, kind, data)


def _alerts_wanted(ctx: RunContext, kind: str) -> bool:
    """Whether an active rule has a trigger for ``kind``: the active triggers are read once per
    run (issue #16), so an event no rule can match opens no savepoint and reads no rules. A rule
    added while a run is going applies from the next run."""
    from tapewire.alerts.evaluate import EVENT_TRIGGERS, active_triggers

    active = ctx.cache.get("alert_triggers")
    if active is None:
        active = ctx.cache["alert_triggers"] = active_triggers(ctx.store)
    return any(t in active for t in EVENT_TRIGGERS.get(kind, ()))


_evaluate_alerts.wanted = _alerts_wanted  # type: ignore[attr-defined]


def _default_event_hooks() -> list[EventHook]:
    return [_evaluate_alerts]


@dataclass(slots=True)
class Hooks:
    """Plug-in points that augment every item (see STYLE.md, "Adding a provider or plugin")."""

    after_brief_published: list[Callable[[str], None]] = field(default_factory=list)
    on_event: list[EventHook] = field(default_factory=_default_event_hooks)


@dataclass(frozen=True, slots=True)
class RunContext:
    """One run of the pipeline: nothing a stage reads may be newer than ``as_of``."""

    store: Store
    settings: Settings
    as_of: datetime
    http: HttpClient
    clock: Clock
    hooks: Hooks = field(default_factory=Hooks)
    # what a run reads once for all its events (the alert rules' triggers), see ``emit``
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None:
            raise ValueError("RunContext.as_of must be timezone-aware (UTC)")

    def emit(self, session: Any, kind: str, data: dict[str, Any]) -> None:
        """An event stored in ``session``'s transaction: alerts are written in the same one.

        A failing hook rolls back only its own savepoint (logged); the event still commits. A
        hook with a ``wanted(ctx, kind)`` attribute that says False for this kind is skipped
        (no savepoint).
        """
        for hook in self.hooks.on_event:
            wanted = getattr(hook, "wanted", None)
            try:
                if wanted is not None and not wanted(self, kind):
                    continue
            except Exception:  # could not tell: run the hook, in its savepoint
                log.exception("event hook %s: wanted() failed on %s", hook, kind)
            try:
                with session.begin_nested():
                    hook(self, session, kind, data)
            except Exception:
                log.exception("event hook %s failed on %s", getattr(hook, "__name__", hook), kind)


@dataclass(slots=True)
class StageReport:
    """What a stage did: counts, and one line per failed source."""

    stage: str
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def fail(self, source: str, message: str) -> None:
        self.errors.append(f"{source}: {message}")

    def as_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "counts": dict(self.counts), "errors": list(self.errors)}
