"""The light tables (``store.light``: Core ``table()`` views for reads without the ORM) name only
tables and columns the models define, with the models' column types, so they cannot drift from
the one schema (issue #16, CLI start-up)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from sqlalchemy import Integer, String, TableClause, column, table

import tapewire
from tapewire.schema import metadata
from tapewire.store.light import LIGHT_MODULES, LIGHT_TABLES

for _name in LIGHT_MODULES:
    importlib.import_module(_name)


def problems(light: TableClause) -> list[str]:
    """How ``light`` differs from the models: a table or column they lack, or a column of
    another type class (a result would read differently: naive datetimes, JSON text, ints)."""
    model = metadata.tables.get(light.name)
    if model is None:
        return [f"no model defines table {light.name!r}"]
    found = []
    for c in light.columns:
        if c.name not in model.c:
            found.append(f"no column {light.name}.{c.name} in the models")
        elif type(c.type) is not type(model.c[c.name].type):
            found.append(
                f"{light.name}.{c.name} is {c.type!r}, the model's {model.c[c.name].type!r}"
            )
    return found


def test_every_reads_module_is_listed() -> None:
    """A ``reads`` module left out of ``LIGHT_MODULES`` would go unchecked."""
    found = {
        m.name
        for m in pkgutil.walk_packages(tapewire.__path__, "tapewire.")
        if m.name.rsplit(".", 1)[-1] == "reads"
    }
    assert found == set(LIGHT_MODULES)
    assert {t.name for t in LIGHT_TABLES} >= {"feed", "instrument", "job_run"}


@pytest.mark.parametrize("light", LIGHT_TABLES, ids=lambda t: t.name)
def test_a_light_table_matches_the_models(light: TableClause) -> None:
    assert list(light.columns), light.name
    assert problems(light) == []


def test_a_drifted_light_table_is_caught() -> None:
    assert problems(table("feeds", column("id", Integer()))) == ["no model defines table 'feeds'"]
    drifted = table("feed", column("id", Integer()), column("no_such", Integer()),
                    column("active", String()))  # fmt: skip
    assert problems(drifted) == [
        "no column feed.no_such in the models",
        "feed.active is String(), the model's Boolean()",
    ]
