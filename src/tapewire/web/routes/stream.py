"""Server-Sent Events: new briefs and signal changes as they are stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from tapewire.config import Settings
from tapewire.market import queries as market_queries
from tapewire.newsroom import queries
from tapewire.signals import queries as signals_queries
from tapewire.store import Store
from tapewire.web.deps import get_settings, get_store
from tapewire.web.routes.api import brief_summary
from tapewire.web.wakeup import Wakeup

router = APIRouter(tags=["stream"])
HEARTBEAT_S = 15.0


def _event(kind: str, event_id: str, data: object) -> str:
    return f"event: {kind}\nid: {event_id}\ndata: {json.dumps(data, default=str)}\n\n"


def _poll(store: Store, brief_id: int, signal_id: int) -> tuple[list[str], int, int]:
    events: list[str] = []
    for view in queries.briefs_after(store, brief_id):
        events.append(_event("brief", f"b{view.id}", brief_summary(view)))
        brief_id = view.id
    symbols = {i.id: i.symbol for i in market_queries.instruments(store, active_only=False)}
    for change in signals_queries.signals_after(store, signal_id):
        data = {
            "symbol": symbols.get(change.instrument_id),
            "as_of": change.as_of,
            "pulse": change.pulse,
            "direction": change.direction,
            "threat": change.threat,
        }
        events.append(_event("signal", f"s{change.id}", data))
        signal_id = change.id
    return events, brief_id, signal_id


async def _events(
    request: Request, store: Store, settings: Settings, since: int | None, limit: int | None
) -> AsyncIterator[str]:
    brief_id = (
        since if since is not None else await to_thread.run_sync(queries.latest_brief_id, store)
    )
    signal_id = await to_thread.run_sync(signals_queries.latest_signal_id, store)
    wakeup: Wakeup = request.app.state.wakeup
    sent, idle = 0, 0.0
    yield f"retry: {int(settings.web.stream_poll_s * 1000)}\n\n"
    while not await request.is_disconnected():
        events, brief_id, signal_id = await to_thread.run_sync(_poll, store, brief_id, signal_id)
        for event in events:
            yield event
            sent += 1
            if limit is not None and sent >= limit:
                return
        idle = 0.0 if events else idle + settings.web.stream_poll_s
        if idle >= HEARTBEAT_S:
            yield ": keep-alive\n\n"
            idle = 0.0
        await wakeup.wait(settings.web.stream_poll_s)  # early when a worker says so


@router.get("/stream", summary="Server-Sent Events: `brief` and `signal` events")
async def stream(
    request: Request,
    store: Annotated[Store, Depends(get_store)],
    settings: Annotated[Settings, Depends(get_settings)],
    since: Annotated[
        int | None, Query(ge=0, description="Replay briefs stored after this id")
    ] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=1000, description="Close after this many events")
    ] = None,
) -> StreamingResponse:
    return StreamingResponse(
        _events(request, store, settings, since, limit),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
