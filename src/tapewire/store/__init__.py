"""The store: SQLAlchemy 2 models' base, the Store, Alembic migrations."""

from __future__ import annotations

from tapewire.store.base import Base, UTCDateTime
from tapewire.store.core import Store, open_store

__all__ = ["Base", "Store", "UTCDateTime", "open_store"]
