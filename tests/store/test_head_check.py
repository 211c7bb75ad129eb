"""``open_store`` skips Alembic when the schema is already at head (issue #16: the CLI paid
0.24 s for the migration check on every command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from tapewire.store import Store, open_store
from tapewire.store.core import alembic_config, script_head


def test_script_head_is_alembics_head(store: Store) -> None:
    head = ScriptDirectory.from_config(alembic_config(store.url)).get_current_head()
    assert script_head() == head
    assert store.current_revision() == head and store.at_head()


def test_a_store_at_head_opens_without_loading_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'head.db'}"
    open_store(url).close()  # migrates the empty database
    probe = (
        "import sys; from tapewire.store import open_store; "
        f"open_store({url!r}).close(); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_store_behind_head_is_migrated(store: Store) -> None:
    from alembic import command

    with store.engine.begin() as connection:
        cfg = alembic_config(store.url)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "hostile")
    assert not store.at_head() and "brief_session" not in store.table_names()
    open_store(store.url).close()
    assert store.at_head() and "brief_session" in store.table_names()
