"""Write the next day's briefs into a store from what it already holds (no fetching)."""

from __future__ import annotations

from datetime import datetime

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.net import HttpClient
from tapewire.pipeline.jobs import STAGES, run_pipeline
from tapewire.store import open_store


def analyse_and_write(settings: Settings, as_of: datetime) -> None:
    """Enrich, technicals, signals and newsroom as of ``as_of`` over the stored items and bars."""
    store = open_store(settings.database_url())
    try:
        with HttpClient(settings.http) as http:
            ctx = RunContext(
                store=store, settings=settings, as_of=as_of, http=http, clock=FixedClock(as_of)
            )
            run_pipeline(ctx, stages=[s for s in STAGES if s[0] not in ("ingest", "market")])
    finally:
        store.close()
