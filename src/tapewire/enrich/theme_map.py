"""Theme -> instruments (pure): which stored instruments a theme reaches.

The map is the shipped file ``enrich/data/theme_instruments.tsv`` (oil -> crude futures CL=F and
the energy ETF XLE; gold -> GC=F, GLD; rates -> the 10-year yield ^TNX; inflation, jobs and the
economy -> the broad market and yields; crypto -> BTC-USD and every crypto instrument; ...).
:func:`resolve_theme_map` resolves it against the instruments the store has: a symbol the store
lacks is skipped, so a theme link never points at an instrument the store does not have.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

BROAD = "@broad"
CRYPTO = "@crypto"


@dataclass(frozen=True, slots=True)
class MapInstrument:
    """What the map needs to know of a stored instrument."""

    id: int
    symbol: str
    asset_class: str
    benchmark_symbol: str | None = None
    member_of: tuple[str, ...] = ()


@functools.cache
def theme_targets() -> dict[str, tuple[str, ...]]:
    """The shipped map: theme (or ``@broad``) -> targets, most direct first."""
    text = (
        resources.files("tapewire.enrich")
        .joinpath("data/theme_instruments.tsv")
        .read_text(encoding="utf-8")
    )
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {theme: tuple(targets.split()) for theme, targets in rows}


def broad_market(instruments: Iterable[MapInstrument]) -> list[MapInstrument]:
    """The stored broad-market instruments: the ``@broad`` symbols, plus every index that other
    stored instruments name as their benchmark or belong to (the demo's ^MKT, a user's index)."""
    insts = list(instruments)
    listed = theme_targets().get(BROAD, ())
    referenced = {i.benchmark_symbol for i in insts if i.benchmark_symbol}
    referenced |= {m for i in insts for m in i.member_of}
    return [
        i
        for i in insts
        if i.symbol in listed or (i.symbol in referenced and i.asset_class == "Indices")
    ]


def resolve_theme_map(
    instruments: Iterable[MapInstrument],
    targets: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, tuple[int, ...]]:
    """Theme -> ids of the stored instruments it reaches, in the map's order, each once."""
    insts = list(instruments)
    by_symbol = {i.symbol: i for i in insts}
    broad = [i.id for i in broad_market(insts)]
    crypto = [i.id for i in insts if i.asset_class == "Crypto"]
    resolved: dict[str, tuple[int, ...]] = {}
    for theme, symbols in (targets if targets is not None else theme_targets()).items():
        if theme.startswith("@"):
            continue
        ids: list[int] = []
        for target in symbols:
            found = (
                broad
                if target == BROAD
                else crypto
                if target == CRYPTO
                else [by_symbol[target].id]
                if target in by_symbol
                else []
            )
            ids.extend(i for i in found if i not in ids)
        if ids:
            resolved[theme] = tuple(ids)
    return resolved


def themes_reaching(instrument_id: int, resolved: Mapping[str, tuple[int, ...]]) -> set[str]:
    """The themes whose map reaches the instrument."""
    return {theme for theme, ids in resolved.items() if instrument_id in ids}
