"""`tapewire demo` end to end: the real pipeline over HTTP from the simulated world.

Includes the crash test: kill the demo mid-run (SIGKILL, at several points) and start it again;
nothing stored is lost and nothing is duplicated.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.cli import cli_env, tapewire

pytestmark = pytest.mark.e2e
AS_OF = "2026-11-20"
BRIEF_FIELDS = {
    "slug",
    "id",
    "as_of",
    "published_at",
    "category",
    "primary_tag",
    "tags",
    "instruments",
    "direction",
    "pulse",
    "heat",
    "risk",
    "threat",
    "headline",
    "dek",
    "sections",
    "sources",
    "chart",
    "read_minutes",
    "writer",
    "facts",
    "verification",
    "outcome",
}


def table_counts(db: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{db}")
    tables = [
        "feed",
        "news_item",
        "instrument",
        "bar",
        "entity_link",
        "sentiment",
        "story_item",
        "brief",
        "fact_sheet",
        "verification",
    ]
    with engine.connect() as conn:
        counts = {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() or 0) for t in tables
        }
    engine.dispose()
    return counts


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("demo")
    result = tapewire(
        tmp,
        "demo",
        "--no-serve",
        "--as-of",
        AS_OF,
        "--db",
        str(tmp / "demo.db"),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["simulated"] is True
    # A week, Nov 14 to 20: Saturday 00:00 has Friday's session (5 briefs), Sunday and Monday
    # 00:00 only the crypto pair's (1 each), Tuesday to Friday all five: 5 + 1 + 1 + 4 * 5 = 27;
    # and the market brief of each equity session (Friday, then Tuesday to Friday): 27 + 5 = 32.
    assert summary["from"] == "2026-11-14" and summary["as_of"] == AS_OF
    assert summary["items"] > 20 and summary["bars"] > 1000 and summary["briefs"] == 32
    assert summary["new_briefs"] == 32 and summary["errors"] == []
    return tmp / "demo.db"


def test_demo_no_serve_prints_counts(tmp_path: Path) -> None:
    result = tapewire(tmp_path, "demo", "--no-serve", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    assert (
        "news items" in result.stdout and "bars" in result.stdout and "32 briefs" in result.stdout
    )
    assert (
        tmp_path / "xdg" / "tapewire" / "demo.db"
    ).is_file()  # the embedded default, in the data dir


@pytest.mark.parametrize("symbol", ["^MKT", "^SMC", "MKTX", "ACME", "DCN-USD"])
def test_brief_json_has_every_design_field_and_verifies(
    demo_db: Path, tmp_path: Path, symbol: str
) -> None:
    result = tapewire(
        tmp_path, "brief", symbol, "--as-of", AS_OF, "--db", str(demo_db), "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) >= BRIEF_FIELDS
    assert doc["outcome"] is None  # the scorecard is not built: present and null, not invented
    assert doc["verification"]["ok"] is True
    assert doc["verification"]["failed"] == 0 and doc["verification"]["checked"] > 10
    assert doc["instruments"] == [symbol] and doc["simulated"] is True
    assert doc["direction"] in {"Bullish", "Neutral", "Bearish"}
    assert 0 <= doc["pulse"]["score"] <= 100 and 1 <= doc["threat"]["level"] <= 5
    assert {"analysis", "watch", "risks", "opportunities", "take"} <= set(doc["sections"])
    assert doc["facts"]["bar_date"] == "2026-11-19"  # nothing on or after as_of
    close = doc["facts"]["price"]["close"]
    for level in doc["facts"]["levels"]:
        assert 0.3 * close < level["price"] < 3 * close
    assert all(src["published_at"] < "2026-11-20" for src in doc["sources"])


def test_running_the_demo_again_duplicates_nothing(demo_db: Path, tmp_path: Path) -> None:
    before = table_counts(demo_db)
    again = tapewire(
        tmp_path, "demo", "--no-serve", "--as-of", AS_OF, "--db", str(demo_db), "--format", "json"
    )
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["new_items"] == summary["new_bars"] == summary["new_briefs"] == 0
    assert table_counts(demo_db) == before


@pytest.mark.parametrize(
    "kill_after", ["stage ingest", "stage market", "stage enrich", "stage newsroom"]
)
def test_killed_demo_resumes_without_loss_or_duplicates(
    demo_db: Path, tmp_path: Path, kill_after: str
) -> None:
    db = tmp_path / "killed.db"
    cmd = [
        sys.executable,
        "-m",
        "tapewire.cli",
        "demo",
        "--no-serve",
        "--as-of",
        AS_OF,
        "--db",
        str(db),
        "--debug",  # a log line as each stage starts (quiet otherwise when not on a terminal)
    ]
    proc = subprocess.Popen(
        cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=cli_env(tmp_path)
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if kill_after in line:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the demo finished before it could be killed"
    partial = table_counts(db)
    resumed = tapewire(
        tmp_path, "demo", "--no-serve", "--as-of", AS_OF, "--db", str(db), "--format", "json"
    )
    assert resumed.returncode == 0, resumed.stderr
    after = table_counts(db)
    assert all(after[t] >= partial[t] for t in partial), (partial, after)  # nothing stored was lost
    assert after == table_counts(demo_db)  # and nothing duplicated: same as one clean run
