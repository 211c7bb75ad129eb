"""Bounded rows per request: a brief search reads at most ``MAX_SCAN`` rows, however selective
its filter, and its cursor resumes where the scan stopped (nothing is skipped)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tapewire.newsroom import queries
from tapewire.newsroom.models import Brief, FactSheet
from tapewire.newsroom.queries import BriefFilter
from tapewire.store import Store

START = datetime(2026, 1, 1, tzinfo=UTC)


def _briefs(store: Store, n: int, *, tagged_every: int) -> None:
    with store.write() as s:
        sheet = FactSheet(as_of=START, data={})
        s.add(sheet)
        s.flush()
        for i in range(n):
            s.add(
                Brief(
                    slug=f"b-{i}",
                    as_of=START + timedelta(hours=i),
                    published_at=START + timedelta(hours=i),
                    category="Stocks",
                    primary_tag="x",
                    tags=["rare"] if i % tagged_every == 0 else ["common"],
                    instruments=["ACME"],
                    direction="Neutral",
                    pulse=0.0,
                    headline=f"brief {i}",
                    dek="",
                    sections={},
                    writer="test",
                    fact_sheet_id=sheet.id,
                )
            )


def test_a_selective_search_reads_at_most_max_scan_rows_and_pages_on(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "MAX_SCAN", 40)  # the bound under test, small for speed
    _briefs(sqlite_store, 200, tagged_every=30)  # 7 "rare" briefs among 200
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        views, cursor = queries.search_briefs(
            sqlite_store, BriefFilter(tag="rare"), limit=5, cursor=cursor
        )
        seen += [v.slug for v in views]
        pages += 1
        if cursor is None:
            break
    assert sorted(seen, key=lambda s: -int(s[2:])) == [f"b-{i}" for i in range(180, -1, -30)]
    assert pages == 200 // 40  # each request stopped after 40 rows (unbounded: 2 pages)
