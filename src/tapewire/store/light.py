"""Light tables: ``sqlalchemy.table()`` views of a stored table naming only the columns a Core
read needs, so the read imports no declarative model and no ``sqlalchemy.orm`` (CLI start-up,
issue #16: the ORM is a fifth of a store command's time).

The models stay the one schema: every light table is registered here, and
``tests/store/test_light_tables.py`` holds each of its columns equal (name and type) to its
model's, so the two cannot drift. A column's type must be the model's for the result to read
the same (``UTCDateTime`` gives an aware datetime, ``JSON`` a parsed value, ``Boolean`` a bool).
"""

from __future__ import annotations

from sqlalchemy import ColumnClause, TableClause, table

# Every light table made, in the order made: the drift test reads it.
LIGHT_TABLES: list[TableClause] = []
# The modules that make them (imported by the drift test, so none is missed).
LIGHT_MODULES = (
    "tapewire.ingest.reads",
    "tapewire.market.reads",
    "tapewire.enrich.reads",
    "tapewire.pipeline.reads",
    "tapewire.alerts.reads",
)


def light_table(name: str, *columns: ColumnClause[object]) -> TableClause:
    """A Core ``table()`` of the stored table ``name`` with these typed columns, registered."""
    made = table(name, *columns)
    LIGHT_TABLES.append(made)
    return made
