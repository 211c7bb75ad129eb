"""The store: SQLAlchemy 2 models' base, the Store, Alembic migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tapewire.store.core import Store, open_store
from tapewire.store.types import UTCDateTime

if TYPE_CHECKING:
    from tapewire.store.base import Base

__all__ = ["Base", "Store", "UTCDateTime", "open_store"]


def __getattr__(name: str) -> Any:
    """``Base`` on first use: the declarative base imports ``sqlalchemy.orm``, which a command
    reading through Core never needs (CLI start-up, issue #16)."""
    if name == "Base":
        from tapewire.store.base import Base

        return Base
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
