"""The pipeline's Core reads for ``tapewire status``, without the ORM (CLI start-up, issue
#16)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String, column, func, select

from tapewire.store import Store
from tapewire.store.light import light_table
from tapewire.store.types import UTCDateTime

_run = light_table(
    "job_run",
    column("id", Integer()),
    column("job", String()),
    column("as_of", UTCDateTime()),
    column("finished_at", UTCDateTime()),
    column("status", String()),
    column("report", JSON()),
)


def last_runs(store: Store) -> list[dict[str, Any]]:
    """The newest job_run row of each stage."""
    newest = select(_run.c.job, func.max(_run.c.id).label("id")).group_by(_run.c.job).subquery()
    query = (
        select(_run.c.job, _run.c.as_of, _run.c.finished_at, _run.c.status, _run.c.report)
        .select_from(_run.join(newest, newest.c.id == _run.c.id))
        .order_by(_run.c.job)
    )
    with store.connect() as c:
        rows = c.execute(query).all()
    return [
        {
            "stage": job,
            "as_of": as_of,
            "finished_at": finished_at,
            "status": status,
            "counts": dict(_as(dict, report.get("counts"))),
            "errors": len(_as(list, report.get("errors"))),
        }
        for job, as_of, finished_at, status, report in rows
    ]


def _as(kind: type[Any], value: object) -> Any:
    return value if isinstance(value, kind) else kind()
