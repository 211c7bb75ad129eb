"""Idempotent inserts: ``INSERT … ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL alike.

Two writers on one store (two ``demo`` runs, a replay beside ``run``) may both decide a row is
new; a check-then-insert lets one of them die on a unique constraint. Inserting with the conflict
clause lets the database decide: the first insert wins, the second learns it lost and carries on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session


def dialect_insert(dialect: str) -> Any:
    """The ``insert`` construct with ``on_conflict_*`` of ``dialect`` (sqlite or postgresql).

    Imported here, on first use: the PostgreSQL dialect package costs a SQLite store's CLI
    command 20 ms of start-up (issue #16), and each dialect package is loaded by its engine."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


class AlreadyStoredError(Exception):
    """Another writer stored the row first (raise it inside ``Store.write()`` to roll back)."""


def new_row_values(obj: Any) -> dict[str, Any]:
    """The column values of the new (transient) ORM object ``obj`` for a Core insert: None
    is left out where the column has a default (or is the primary key), so the default applies."""
    mapper = inspect(type(obj))
    values: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        value = getattr(obj, attr.key, None)
        if value is None and (
            column.primary_key or column.default is not None or column.server_default is not None
        ):
            continue
        values[column.key] = value
    return values


def insert_new(s: Session, obj: Any, *, conflict: Sequence[str]) -> int | None:
    """Insert the new (transient) ORM object ``obj`` unless a row with the same ``conflict``
    columns exists; returns the new row's id, or None when that row was already there.

    ``obj`` itself is not added to the session: use the returned id.
    """
    table = inspect(type(obj)).local_table
    values = new_row_values(obj)
    dialect = s.get_bind().dialect.name
    insert = dialect_insert(dialect)
    # the values as parameters, not in the statement: one compiled statement, cached (#16)
    statement = (
        insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(table.c.id)
    )
    new_id: int | None = s.execute(statement, values).scalar_one_or_none()
    return new_id
