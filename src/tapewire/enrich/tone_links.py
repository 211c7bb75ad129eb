"""Tone per entity link: ``enrich.tone.tone_toward`` for each (item, linked instrument), and
filling it into stored links that have none."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tapewire.enrich.models import EntityLink
from tapewire.enrich.tone import Target, target, tone_toward

if TYPE_CHECKING:  # the sentiment model loads numpy: only when a tone is computed (issue #16)
    from tapewire.enrich.entities import Link
    from tapewire.enrich.sentiment import SentimentScore


class _Item(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...


class _Instrument(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def symbol(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def asset_class(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


def target_of(inst: _Instrument) -> Target:
    """The tone target of a stored instrument: its symbol, name and aliases, asset class."""
    return target(inst.symbol, (inst.name, *inst.aliases), inst.asset_class)


def compute_link_tones(
    items: Sequence[_Item],
    links: Mapping[int, Sequence[Link]],
    instruments: Iterable[_Instrument],
    title_scores: Mapping[int, SentimentScore],
) -> dict[tuple[int, int], float]:
    """(item id, instrument id) -> tone toward that instrument, for every link found."""
    from tapewire.enrich.sentiment import score_text

    targets = {inst.id: target_of(inst) for inst in instruments}
    tones: dict[tuple[int, int], float] = {}
    for item in items:
        known = {item.title: title_scores[item.id].score} if item.id in title_scores else {}

        def sentence_score(text: str, known: dict[str, float] = known) -> float:
            if text not in known:
                known[text] = score_text(text).score
            return known[text]

        for link in links.get(item.id, ()):
            goal = targets.get(link.instrument_id)
            if goal is not None:
                tones[(item.id, link.instrument_id)] = tone_toward(
                    item.title, item.summary, goal, sentence_score=sentence_score
                )
    return tones


def save_missing_tones(s: Session, tones: Mapping[tuple[int, int], float]) -> int:
    """Fill ``entity_link.tone`` where a stored link has none yet (links made before tones
    existed, within the window the stage re-reads); returns how many were filled."""
    item_ids = sorted({item_id for item_id, _ in tones})
    if not item_ids:
        return 0
    rows = s.scalars(
        select(EntityLink).where(EntityLink.news_item_id.in_(item_ids), EntityLink.tone.is_(None))
    ).all()
    filled = 0
    for row in rows:
        tone = tones.get((row.news_item_id, row.instrument_id))
        if tone is not None:
            row.tone = tone
            filled += 1
    return filled
