"""A rejected brief is never a silent drop (issue #11 part 1): `brief` exits 1 saying why, and
`replay` prints how many were not published and why, exiting 1 when every brief was rejected.

The writer is made to invent an outlet in-process: the stage has no seam to inject a writer (it
builds ``TemplateWriter`` itself), and a real template brief verifies by construction, so this is
the one way to get a rejection through the real pipeline and CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tapewire.cli import main
from tapewire.newsroom.writers.base import Draft
from tapewire.newsroom.writers.template import TemplateWriter
from tests.e2e.test_replay import write_recording

INVENTED = "Bloomberg reported heavy buying."


def inventing(symbols: set[str]) -> type[TemplateWriter]:
    class Inventing(TemplateWriter):
        def write(self, facts: dict[str, Any]) -> Draft:
            draft = super().write(facts)
            if facts["instrument"]["symbol"] not in symbols:
                return draft
            analysis = [*draft.sections["analysis"], INVENTED]
            return Draft(
                draft.headline,
                draft.dek,
                {**draft.sections, "analysis": analysis},
                draft.tags,
                draft.writer,
            )

    return Inventing


def replay(tmp_path: Path, db: Path) -> int:
    return main(
        [
            "replay",
            str(tmp_path / "rec"),
            "--from",
            "2026-11-19",
            "--to",
            "2026-11-19",
            "--db",
            str(db),
        ]
    )


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("TAPEWIRE_DB_URL", "TAPEWIRE_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    write_recording(tmp_path / "rec")
    return tmp_path


def test_a_rejected_brief_is_counted_and_said(
    recording: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("tapewire.newsroom.stage.TemplateWriter", inventing({"ACME"}))
    assert replay(recording, recording / "one.db") == 0  # the other briefs were published
    out = capsys.readouterr().out
    assert "4 briefs, 1 rejected (not published)" in out
    assert (
        "rejected: ACME: brief rejected: 1 ungrounded claims (outlet)" in out
        and "'Bloomberg'" in out
    )
    code = main(["brief", "ACME", "--as-of", "2026-11-19", "--db", str(recording / "one.db")])
    assert code == 1
    assert "ACME: brief rejected" in capsys.readouterr().err


def test_a_replay_whose_every_brief_is_rejected_exits_1(
    recording: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    symbols = {"^MKT", "^SMC", "MKTX", "ACME", "DCN-USD"}
    monkeypatch.setattr("tapewire.newsroom.stage.TemplateWriter", inventing(symbols))
    assert replay(recording, recording / "all.db") == 1
    captured = capsys.readouterr()
    assert "0 briefs, 5 rejected (not published)" in captured.out
    assert "every brief of the replay was rejected (5 not published" in captured.err
