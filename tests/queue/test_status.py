"""`tapewire status`: the last run of each stage, failing feeds, and (with a broker) queue
depth and live workers; a broker that is down is said in one line, the rest still shows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_replay import write_recording
from tests.support.cli import cli_env
from tests.support.servers import free_port
from tests.support.workers import Workers, redis_database, worker_env


def _status(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "tapewire.cli", "status", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    return data


def _beat_pass(db: str, broker: str) -> list[dict[str, object]]:
    """Send `tapewire.cycle` as beat does and wait for the pass it starts."""
    from celery.result import AsyncResult

    from tapewire.config import load_settings
    from tapewire.queue.app import make_app

    app = make_app(load_settings(db={"url": db}, queue={"broker_url": broker}))
    try:
        pass_id = app.send_task("tapewire.cycle").get(timeout=60)
        reports: list[dict[str, object]] = AsyncResult(pass_id, app=app).get(timeout=240)
        return reports
    finally:
        app.close()


def test_status_in_process_then_with_a_worker_then_with_the_broker_down(tmp_path: Path) -> None:
    rec = tmp_path / "rec"
    write_recording(rec)
    (rec / "feeds" / "broken.xml").write_text("<html>not a feed</html>")
    db = str(tmp_path / "s.db")
    env = cli_env(tmp_path) | {"TAPEWIRE_DB__URL": db}
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "tapewire.cli",
            "replay",
            str(rec),
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-20",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr

    local = _status(env)
    assert local["mode"] == "in-process"
    stages = {s["stage"]: s for s in local["stages"]}  # type: ignore[attr-defined]
    assert set(stages) == {
        "ingest",
        "market",
        "enrich",
        "technicals",
        "signals",
        "newsroom",
        "scorecard",
    }
    assert stages["newsroom"]["counts"]["briefs"] == 5
    failing = local["failing_feeds"]
    assert [Path(f["url"]).name for f in failing] == ["broken.xml"]  # type: ignore[attr-defined]

    with redis_database() as broker:
        queued_env = worker_env(tmp_path, broker, db)
        workers = Workers(tmp_path, queued_env)
        try:
            workers.start("st1")
            workers.wait_ready()
            queued = _status(queued_env)
            reports = _beat_pass(db, broker)
            after_beat = _status(queued_env)
        finally:
            workers.stop()
    # The periodic pass `tapewire beat` sends ran every stage as of now, on the worker.
    assert [r["stage"] for r in reports] == [
        "ingest",
        "market",
        "enrich",
        "technicals",
        "signals",
        "newsroom",
        "scorecard",
    ]
    assert {s["stage"] for s in after_beat["stages"]} == set(stages)  # type: ignore[attr-defined]
    assert all(  # newer than the replay's day
        str(s["as_of"]) > "2026-11-21"
        for s in after_beat["stages"]  # type: ignore[attr-defined]
    )
    assert queued["mode"] == "queue" and queued["broker_error"] is None
    assert queued["queues"] == {"tapewire": 0}
    assert [w.split("@")[0] for w in queued["workers"]] == ["st1"]  # type: ignore[attr-defined]

    down = _status(
        queued_env | {"TAPEWIRE_QUEUE__BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}
    )
    assert down["broker_error"] and down["stages"] == after_beat["stages"]
