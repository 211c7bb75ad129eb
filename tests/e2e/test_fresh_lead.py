"""A daily brief leads with what is new since the instrument's previous brief. On the real
2023-12-01 sitemaps, QQQ's briefs of Dec 1 and Dec 2 both led with MarketWatch's "Popular QQQ
ETF on track for biggest monthly gain..." of Nov 30: the second read as a rerun, under a
headline that said "gains 0.3%" over a dek that said "flat since the MarketWatch story"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_data
from tests.support.cli import tapewire

pytestmark = pytest.mark.e2e


def _brief(tmp_path: Path, db: Path, as_of: str) -> dict[str, object]:
    out = tapewire(tmp_path, "--db", str(db), "brief", "QQQ", "--as-of", as_of, "--format", "json")
    assert out.returncode == 0, out.stderr
    doc: dict[str, object] = json.loads(out.stdout)
    return doc


def test_a_story_that_led_yesterday_does_not_lead_today(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    path = shared_data("prices") / "yahoo_long_to_2026-02" / "QQQ.csv"
    assert tapewire(tmp_path, "--db", str(db), "prices", "load", "QQQ", str(path)).returncode == 0
    feeds = sorted(
        str(p) for p in shared_data("feeds", "news_sitemaps_2023-12-01_mangled").glob("*.xml")
    )
    assert tapewire(tmp_path, "--db", str(db), "ingest", *feeds).returncode == 0
    first = _brief(tmp_path, db, "2023-12-01")
    second = _brief(tmp_path, db, "2023-12-02")
    facts = second["facts"]
    assert isinstance(facts, dict) and facts["news_since"] == first["as_of"]
    assert str(first["headline"]).startswith("“")  # the first is led by a story
    title = str(first["headline"]).split("”")[0].lstrip("“")
    assert title not in str(second["headline"]), second["headline"]
    analysis = second["sections"]
    assert isinstance(analysis, dict)
    lede = analysis["analysis"][0]
    assert title not in lede or not lede.startswith(("MarketWatch reported", "The story of")), lede
    assert second["verification"]["ok"]  # type: ignore[index]
