"""The web5 migration renders the static chart of every brief stored before it (SQLite, and
Postgres when configured): the rows equal what the brief page draws live; a brief without a
chart gets no row; downgrade drops the table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, inspect, select

from tapewire.newsroom import queries
from tapewire.newsroom.brief_index import chart_row
from tapewire.newsroom.models import Brief, FactSheet
from tapewire.store import Store
from tapewire.web.chart import price_svg, stored_chart

AT = datetime(2026, 12, 4, 21, tzinfo=UTC)


def _chart(base: float) -> dict[str, Any]:
    days = [date(2026, 7, 1) + timedelta(days=k) for k in range(150)]
    closes = [base * (1 + 0.1 * ((k * 37) % 23 - 11) / 11) for k in range(150)]
    return {
        "dates": [d.isoformat() for d in days],
        "closes": closes,
        "levels": [
            {"kind": "support", "price": base * 0.93, "touches": 3},
            {"kind": "sma50", "price": base * 1.01},
            {"kind": "resistance", "price": base * 1.08, "touches": 1},
        ],
    }


def _brief(sheet_id: int, slug: str, chart: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "slug": slug,
        "as_of": AT,
        "published_at": AT,
        "category": "Stocks",
        "primary_tag": "acme",
        "tags": ["acme"],
        "instruments": ["ACME"],
        "direction": "Neutral",
        "pulse": 50.0,
        "headline": "ACME holds its range",
        "dek": "A quiet session.",
        "sections": {"analysis": [], "watch": [], "take": ""},
        "sources": [],
        "chart": chart,
        "read_minutes": 1,
        "writer": "template",
        "trigger": "daily",
        "simulated": False,
        "fact_sheet_id": sheet_id,
    }


def test_the_migration_renders_the_charts_of_stored_briefs(db_url: str) -> None:
    store = Store(db_url)
    try:
        store.upgrade("pipe5")
        charts = {"acme-1": _chart(101.5), "acme-2": _chart(4_512.0), "acme-3": None}
        with store.write() as s:
            sheet = s.execute(
                insert(FactSheet).returning(FactSheet.id), {"as_of": AT, "data": {}}
            ).scalar_one()
            s.execute(insert(Brief), [_brief(sheet, slug, c) for slug, c in charts.items()])
        store.upgrade("web5")
        with store.read() as s:
            ids = dict(s.execute(select(Brief.slug, Brief.id)).all())
        for slug, chart in charts.items():
            stored = stored_chart(queries.brief_chart(store, ids[slug]))
            if chart is None:
                assert stored is None
            else:
                assert stored is not None and stored == price_svg(chart), slug
    finally:
        store.close()


def test_the_migration_downgrades(db_url: str) -> None:
    from alembic import command

    from tapewire.store.core import alembic_config

    store = Store(db_url)
    try:
        store.upgrade("web5")
        assert "brief_chart" in inspect(store.engine).get_table_names()
        command.downgrade(alembic_config(store.url), "pipe5")
        store.engine.dispose()
        assert "brief_chart" not in inspect(store.engine).get_table_names()
    finally:
        store.close()


def test_a_chart_that_cannot_be_drawn_stores_no_row() -> None:
    """A chart the renderer cannot draw never stops a brief from being stored: no row (its page
    draws it live, and fails there as it always did)."""
    bad = {"dates": ["not a date", "2026-12-04"], "closes": [1.0, 2.0]}
    assert chart_row(1, bad) is None
    assert chart_row(1, None) is None
    good = chart_row(1, _chart(10.0))
    assert good is not None and good["brief_id"] == 1 and good["svg"].startswith("<svg")
