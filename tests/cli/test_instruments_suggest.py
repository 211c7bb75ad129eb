"""`tapewire instruments suggest`: the most-mentioned unknown symbols, text and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tapewire.context import RunContext
from tapewire.enrich import stage as enrich_stage
from tapewire.store import Store, open_store
from tests.enrich.test_linking_store import ITEMS, seed
from tests.support.cli import tapewire


def test_suggest_lists_unknown_symbols_most_mentioned_first(
    tmp_path: Path, make_ctx: Callable[[Store], RunContext]
) -> None:
    db = tmp_path / "s.db"
    empty = tapewire(tmp_path, "instruments", "suggest", "--db", str(db), timeout=120)
    assert empty.returncode == 0, empty.stderr
    assert "no unknown symbols" in empty.stdout
    store = open_store(f"sqlite:///{db}")
    try:
        seed(store)
        enrich_stage.run(make_ctx(store))
    finally:
        store.close()
    result = tapewire(
        tmp_path, "instruments", "suggest", "--db", str(db), "--format", "json", timeout=120
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["symbol"], r["count"]) for r in rows] == [("ZZZQ", 2), ("QQQX", 1)]
    assert rows[0]["example"] == ITEMS[3][1] and rows[0]["first_seen_at"] < rows[0]["last_seen_at"]
    text = tapewire(
        tmp_path, "instruments", "suggest", "--limit", "1", "--db", str(db), timeout=120
    )
    assert text.stdout.splitlines()[0].startswith("ZZZQ") and len(text.stdout.splitlines()) == 1
