"""Tone per entity link (pure): ``enrich.tone.tone_toward`` for each (item, linked instrument)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from tapewire.enrich.entities import Link
from tapewire.enrich.sentiment import SentimentScore, score_text
from tapewire.enrich.tone import Target, target, tone_toward


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
