"""Indexes of the brief table kept at publish time, so pages read O(page) rows (issue #16).

A brief's tags, instruments and cited source URLs live in JSON columns; a page filtered by one
of them (a tag page, an instrument page, their Atom feeds), the home page's tag counts and a brief
page's related briefs would otherwise decode every brief. These tables hold one row per (brief,
key) with the brief's ``as_of``, indexed ``(key, as_of, brief_id)``, so "the newest briefs with
key K" is an index range scan; ``tag_count`` holds each tag's number of briefs. ``index_briefs``
fills them in the same transaction as the briefs are written (``newsroom.stage`` and
``newsroom.market_brief``); the ``webperf`` migration backfilled the briefs written before it.

``brief_chart`` holds each brief's static chart rendered once when it is stored
(``publish.render.price_svg``, a pure renderer): a brief's chart never changes once published, and
drawing it cost its page ~0.4 ms per request (#16). The ``web5`` migration rendered the briefs
stored before it; a brief without a row (one inserted some other way, or without a chart) is
drawn live by its page, with the same result.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from tapewire.newsroom.models import Brief
from tapewire.store.base import Base, table_of
from tapewire.store.upsert import AlreadyStoredError, dialect_insert, insert_new

log = logging.getLogger(__name__)

# Indexes on the brief table itself: keyset pages (PostgreSQL needs the id in the index; SQLite
# has it as the rowid), the market briefs, and "is any brief simulated" without a scan.
Index("ix_brief_as_of_id", Brief.as_of, Brief.id)
Index("ix_brief_primary_tag_as_of", Brief.primary_tag, Brief.as_of, Brief.id)
Index("ix_brief_simulated", Brief.simulated)


class BriefTag(Base):
    __tablename__ = "brief_tag"
    __table_args__ = (Index("ix_brief_tag_tag_as_of", "tag", "as_of", "brief_id"),)

    brief_id: Mapped[int] = mapped_column(
        ForeignKey("brief.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(Text, primary_key=True)
    as_of: Mapped[datetime]


class BriefInstrument(Base):
    __tablename__ = "brief_instrument"
    __table_args__ = (Index("ix_brief_instrument_symbol_as_of", "symbol", "as_of", "brief_id"),)

    brief_id: Mapped[int] = mapped_column(
        ForeignKey("brief.id", ondelete="CASCADE"), primary_key=True
    )
    symbol: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[datetime]


class BriefSource(Base):
    """A cited source by the SHA-1 of its URL (URLs are too long to index on every backend)."""

    __tablename__ = "brief_source"
    __table_args__ = (Index("ix_brief_source_url_key_as_of", "url_key", "as_of", "brief_id"),)

    brief_id: Mapped[int] = mapped_column(
        ForeignKey("brief.id", ondelete="CASCADE"), primary_key=True
    )
    url_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    as_of: Mapped[datetime]


class TagCount(Base):
    __tablename__ = "tag_count"

    tag: Mapped[str] = mapped_column(Text, primary_key=True)
    n: Mapped[int]


class BriefChart(Base):
    """A brief's static price chart as its page shows it (SVG and caption), rendered at publish."""

    __tablename__ = "brief_chart"

    brief_id: Mapped[int] = mapped_column(
        ForeignKey("brief.id", ondelete="CASCADE"), primary_key=True
    )
    svg: Mapped[str] = mapped_column(Text)
    caption: Mapped[str] = mapped_column(Text)


def chart_row(brief_id: int, chart: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``brief_chart`` row of a brief, or None when it has no chart to draw (or drawing it
    failed: logged, and the brief is stored all the same; its page draws the chart live)."""
    from tapewire.publish.render import price_svg  # only where briefs are written (numpy)

    try:
        drawn = price_svg(chart)
    except Exception:
        log.exception("brief %s: its static chart could not be drawn", brief_id)
        return None
    if drawn is None:
        return None
    return {"brief_id": brief_id, "svg": str(drawn.svg), "caption": drawn.caption}


def url_key(url: object) -> str:
    """The key of a cited URL in ``brief_source`` (the webperf migration computes the same)."""
    return hashlib.sha1(str(url).encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class IndexedBrief:
    """What the indexes need of one brief."""

    id: int
    as_of: datetime
    tags: Sequence[str]
    instruments: Sequence[str]
    sources: Sequence[Mapping[str, Any]]

    @classmethod
    def of(cls, brief: Brief) -> IndexedBrief:
        return cls(brief.id, brief.as_of, brief.tags, brief.instruments, brief.sources)


def index_briefs(s: Session, briefs: Iterable[IndexedBrief]) -> None:
    """Add stored briefs (they have ids) to the indexes, in the caller's transaction.

    One executemany per table, so a bulk load indexes thousands of briefs in a few statements.
    """
    tags: list[dict[str, Any]] = []
    instruments: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for b in briefs:
        for tag in dict.fromkeys(b.tags):
            tags.append({"brief_id": b.id, "tag": tag, "as_of": b.as_of})
            counts[tag] += 1
        for symbol in dict.fromkeys(b.instruments):
            instruments.append({"brief_id": b.id, "symbol": symbol, "as_of": b.as_of})
        keys = dict.fromkeys(url_key(src["url"]) for src in b.sources if src.get("url"))
        sources += [{"brief_id": b.id, "url_key": key, "as_of": b.as_of} for key in keys]
    c = s.connection()  # Core inserts of the tables: no ORM bulk-insert path (issue #16)
    for model, rows in ((BriefTag, tags), (BriefInstrument, instruments), (BriefSource, sources)):
        if rows:
            c.execute(insert(table_of(model)), rows)
    if counts:
        upsert = _tag_upsert(c.dialect.name)
        c.execute(upsert, [{"tag": tag, "n": n} for tag, n in sorted(counts.items())])


@functools.cache
def _tag_upsert(dialect: str) -> Any:
    """The ``tag_count`` upsert, built once per dialect (issue #16: it was built per brief)."""
    table = table_of(TagCount)
    ins = dialect_insert(dialect)(table)
    return ins.on_conflict_do_update(index_elements=["tag"], set_={"n": table.c.n + ins.excluded.n})


def store_brief(s: Session, brief: Brief) -> int:
    """Insert a new brief (``ON CONFLICT (slug) DO NOTHING``: two writers never both write it)
    and index it, in the caller's transaction; the transient ``brief`` gets the new id.

    Every writer of briefs goes through here, so the page indexes always match the table; the
    brief's static chart is rendered and stored here too.

    Raises:
        AlreadyStoredError: a brief with this slug is already stored (another writer won).
    """
    brief_id = insert_new(s, brief, conflict=("slug",))
    if brief_id is None:
        raise AlreadyStoredError(brief.slug)
    brief.id = brief_id
    index_briefs(s, [IndexedBrief.of(brief)])
    store_charts(s, [brief])
    return brief_id


def store_charts(s: Session, briefs: Iterable[Brief]) -> None:
    """The ``brief_chart`` rows of stored briefs (their ids set), in the caller's transaction:
    ``store_brief`` and the newsroom's multi-row chunk writes both come here."""
    rows = [row for b in briefs if (row := chart_row(int(b.id), b.chart)) is not None]
    if rows:
        s.connection().execute(insert(table_of(BriefChart)), rows)
