"""Declarative base, constraint naming convention and the column types every table shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Defined without the ORM (a Core read types its columns with them); migrations name them here.
from tapewire.store.types import JSONType, UTCDateTime

__all__ = ["NAMING_CONVENTION", "Base", "JSONType", "UTCDateTime", "table_of"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}  # noqa: RUF012 (SQLAlchemy reads it per class)


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class: inserts through a session's ``connection()`` skip the
    ORM's bulk-insert bookkeeping, which costs more than the statement for one row (issue #16)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table
