"""Bounded rows per request: a text search (the one filter not answered by an index) reads at
most ``MAX_SCAN`` rows, however selective it is, and its cursor resumes where the scan stopped
(nothing is skipped); a tag search walks the tag index and reads only its page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tapewire.newsroom import queries
from tapewire.newsroom.brief_index import IndexedBrief, index_briefs
from tapewire.newsroom.models import Brief, FactSheet
from tapewire.newsroom.queries import BriefFilter
from tapewire.store import Store

START = datetime(2026, 1, 1, tzinfo=UTC)


def _briefs(store: Store, n: int, *, tagged_every: int) -> None:
    with store.write() as s:
        sheet = FactSheet(as_of=START, data={})
        s.add(sheet)
        s.flush()
        rows = []
        for i in range(n):
            rows.append(
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
                    headline=f"brief {i}" + (" rare" if i % tagged_every == 0 else ""),
                    dek="",
                    sections={},
                    writer="test",
                    fact_sheet_id=sheet.id,
                )
            )
        s.add_all(rows)
        s.flush()
        index_briefs(s, [IndexedBrief.of(b) for b in rows])  # as the newsroom does on publish


def test_a_selective_search_reads_at_most_max_scan_rows_and_pages_on(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "MAX_SCAN", 40)  # the bound under test, small for speed
    _briefs(sqlite_store, 200, tagged_every=30)  # 7 "rare" briefs among 200
    expected = [f"b-{i}" for i in range(180, -1, -30)]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        views, cursor = queries.search_briefs(
            sqlite_store, BriefFilter(q="rare"), limit=5, cursor=cursor
        )
        seen += [v.slug for v in views]
        pages += 1
        if cursor is None:
            break
    assert seen == expected
    assert pages == 200 // 40  # each request stopped after 40 rows (unbounded: 2 pages)
    by_tag, cursor = queries.search_briefs(sqlite_store, BriefFilter(tag="rare"), limit=10)
    assert [v.slug for v in by_tag] == expected and cursor is None  # the index: one page
