"""The technicals stage's read API: the latest snapshot stored at or before ``until``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select

from tapewire.store import Store
from tapewire.technicals.levels import (  # re-exported: a level's kind in words, for the web
    LEVEL_WORDS as LEVEL_WORDS,
)
from tapewire.technicals.models import Indicator, Level


@dataclass(frozen=True, slots=True)
class LevelView:
    kind: str  # support | resistance | round | sma50 | sma200 | high52 | low52
    price: float
    touches: int  # tests that held (technicals.levels, rule 3)
    last_touch_date: date | None
    evidence: str  # the one-line "why"
    zone_low: float | None = None  # the zone price tested, where the level has one
    zone_high: float | None = None
    breaks: int = 0  # tests that broke through
    touch_dates: tuple[str, ...] = ()  # ISO dates of the touches counted, oldest first


@dataclass(frozen=True, slots=True)
class TechnicalsView:
    as_of: datetime
    bar_date: date
    values: dict[str, float | None]
    levels: tuple[LevelView, ...]


@functools.lru_cache(maxsize=4)
def _latest_statements(before_bar: bool) -> tuple[Any, Any, Any]:
    """``latest``'s three statements, built once per shape: building and cache-keying a select
    costs more than running it on its index (#16)."""
    newest = select(func.max(Indicator.as_of)).where(
        Indicator.instrument_id == bindparam("inst"), Indicator.as_of <= bindparam("until")
    )
    if before_bar:
        newest = newest.where(Indicator.bar_date < bindparam("before_bar"))
    values = select(Indicator.as_of, Indicator.bar_date, Indicator.name, Indicator.value).where(
        Indicator.instrument_id == bindparam("inst"), Indicator.as_of == bindparam("as_of")
    )
    levels = (
        select(*_LEVEL_COLUMNS)
        .where(Level.instrument_id == bindparam("inst"), Level.as_of == bindparam("as_of"))
        .order_by(Level.id)
    )
    return newest, values, levels


def latest(
    store: Store, instrument_id: int, *, until: datetime, before_bar: date | None = None
) -> TechnicalsView | None:
    """The snapshot computed for the latest as_of not after ``until`` (and, with ``before_bar``,
    computed from a bar older than that date: the previous session's map)."""
    newest, values, levels_query = _latest_statements(before_bar is not None)
    params: dict[str, Any] = {"inst": instrument_id, "until": until}
    if before_bar is not None:
        params["before_bar"] = before_bar
    with store.connect() as c:
        as_of = c.scalar(newest, params)
        if as_of is None:
            return None
        at = {"inst": instrument_id, "as_of": as_of}
        rows = c.execute(values, at).all()
        levels = c.execute(levels_query, at).all()
        return TechnicalsView(
            as_of=rows[0][0],
            bar_date=rows[0][1],
            values={name: value for _, _, name, value in rows},
            levels=tuple(_level_view(tuple(lv)) for lv in levels),
        )


def latest_many(
    store: Store, instrument_ids: list[int], *, until: datetime, before_bar: date | None = None
) -> dict[int, TechnicalsView]:
    """``latest`` for many instruments in three queries (instruments without one are absent)."""
    if not instrument_ids:
        return {}
    newest_query = select(Indicator.instrument_id, func.max(Indicator.as_of).label("as_of")).where(
        Indicator.instrument_id.in_(instrument_ids), Indicator.as_of <= until
    )
    if before_bar is not None:
        newest_query = newest_query.where(Indicator.bar_date < before_bar)
    newest = newest_query.group_by(Indicator.instrument_id).subquery()
    on_newest = (Indicator.instrument_id == newest.c.instrument_id) & (
        Indicator.as_of == newest.c.as_of
    )
    values: dict[int, dict[str, float | None]] = {}
    stamps: dict[int, tuple[datetime, date]] = {}
    levels: dict[int, list[LevelView]] = {}
    with store.read() as s:
        rows = s.execute(
            select(
                Indicator.instrument_id,
                Indicator.as_of,
                Indicator.bar_date,
                Indicator.name,
                Indicator.value,
            ).join(newest, on_newest)
        ).all()
        for inst_id, as_of, bar_date, name, value in rows:
            values.setdefault(inst_id, {})[name] = value
            stamps.setdefault(inst_id, (as_of, bar_date))
        level_rows = s.execute(
            select(Level.instrument_id, *_LEVEL_COLUMNS)
            .join(
                newest,
                (Level.instrument_id == newest.c.instrument_id) & (Level.as_of == newest.c.as_of),
            )
            .order_by(Level.id)
        ).all()
        for row in level_rows:
            levels.setdefault(row[0], []).append(_level_view(tuple(row[1:])))
    return {
        inst_id: TechnicalsView(
            as_of=stamps[inst_id][0],
            bar_date=stamps[inst_id][1],
            values=vals,
            levels=tuple(levels.get(inst_id, ())),
        )
        for inst_id, vals in values.items()
    }


_LEVEL_COLUMNS = (
    Level.kind,
    Level.price,
    Level.touches,
    Level.last_touch_date,
    Level.evidence,
    Level.zone_low,
    Level.zone_high,
)


def _level_view(row: tuple[Any, ...]) -> LevelView:
    """A ``LevelView`` from a row of ``_LEVEL_COLUMNS``."""
    kind, price, touches, last_touch_date, evidence, zone_low, zone_high = row
    evidence = evidence or {}
    dates = evidence.get("touch_dates")
    breaks = evidence.get("breaks")
    return LevelView(
        kind=kind,
        price=price,
        touches=touches,
        last_touch_date=last_touch_date,
        evidence=str(evidence.get("why", "")),
        zone_low=zone_low,
        zone_high=zone_high,
        breaks=breaks if isinstance(breaks, int) else 0,
        touch_dates=tuple(str(d) for d in dates) if isinstance(dates, list) else (),
    )
