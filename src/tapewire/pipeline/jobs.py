"""Stage order and one pipeline pass; each stage's report is recorded as a job_run row."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence

from tapewire.context import RunContext, StageReport
from tapewire.enrich import stage as enrich_stage
from tapewire.ingest import stage as ingest_stage
from tapewire.market import stage as market_stage
from tapewire.newsroom import stage as newsroom_stage
from tapewire.pipeline.models import JobRun
from tapewire.scorecard import stage as scorecard_stage
from tapewire.signals import stage as signals_stage
from tapewire.technicals import stage as technicals_stage

log = logging.getLogger(__name__)

Stage = Callable[[RunContext], StageReport]
STAGES: tuple[tuple[str, Stage], ...] = (
    ("ingest", ingest_stage.run),
    ("market", market_stage.run),
    ("enrich", enrich_stage.run),
    ("technicals", technicals_stage.run),
    ("signals", signals_stage.run),
    ("newsroom", newsroom_stage.run),
    ("scorecard", scorecard_stage.run),
)


# The live loop (`tapewire run`) polls only the feeds that are due, so failing feeds back off.
LIVE_STAGES: tuple[tuple[str, Stage], ...] = (
    ("ingest", functools.partial(ingest_stage.run, due_only=True)),
    *STAGES[1:],
)


def run_pipeline(
    ctx: RunContext,
    *,
    stages: Sequence[tuple[str, Stage]] = STAGES,
    on_stage: Callable[[str], None] | None = None,
) -> list[StageReport]:
    """Run the stages in order as of ``ctx.as_of``. A stage's source failures do not stop it."""
    reports = []
    for name, stage in stages:
        if on_stage is not None:
            on_stage(name)
        started = ctx.clock.now()
        report = stage(ctx)
        with ctx.store.write() as s:
            s.add(
                JobRun(
                    job=name,
                    as_of=ctx.as_of,
                    started_at=started,
                    finished_at=ctx.clock.now(),
                    status="ok" if not report.errors else "partial",
                    report=report.as_dict(),
                )
            )
        log.info("stage %s: %s", name, report.as_dict())
        reports.append(report)
    return reports
