"""The enrich stage's read API: items linked to an instrument, with sentiment and story.

An item reaches an instrument by a named link (``entity_link``: the text names it) or, weaker,
through a theme (``item_theme`` and the theme -> instruments map of ``theme_map``): such a
``LinkedItem`` has ``link_kind="theme"``, the ``themes`` that carried it, and a relevance of at
most ``THEME_LINK_WEIGHT`` (a named link in a summary counts 0.5, in a title 1.0). A fund or a
future that tracks an index or a commodity (``data/trackers.tsv``: SPY and ES=F the S&P 500, GLD
gold) also reads the named links of what it tracks, as ``link_kind="tracks"`` with ``via`` the
tracked instrument's name and ``TRACK_LINK_WEIGHT`` x that link's relevance.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from tapewire.enrich.models import (
    EntityLink,
    ItemTheme,
    Sentiment,
    Story,
    StoryItem,
)
from tapewire.enrich.reads import TickerCandidateView as TickerCandidateView  # Core (#16)
from tapewire.enrich.reads import ticker_candidates as ticker_candidates
from tapewire.enrich.theme_map import MapInstrument, resolve_theme_map, themes_reaching
from tapewire.enrich.tone import Target, tone_toward
from tapewire.enrich.tone_links import target_of
from tapewire.ingest import queries as ingest_queries
from tapewire.ingest.queries import NewsItemView
from tapewire.market import queries as market_queries
from tapewire.store import Store

THEME_LINK_WEIGHT = 0.3  # a theme link's relevance is this times the theme's strength
TRACK_LINK_WEIGHT = 0.8  # a link through the index a fund tracks: this times that link's relevance


@dataclass(frozen=True, slots=True)
class LinkedItem:
    item_id: int
    title: str
    summary: str
    url: str
    publisher_domain: str
    publisher_name: str | None
    published_at: datetime
    relevance: float
    sentiment: float | None
    story_id: int | None
    story_outlets: int
    outlet: str = ""  # who wrote it, as readers know it ("Reuters"; ingest/outlets.py)
    language: str | None = None
    link_kind: str = "name"  # "theme": only through a theme; "tracks": through what it tracks
    themes: tuple[str, ...] = ()  # for a theme link, the themes that carried it
    via: str = ""  # for a "tracks" link, what is tracked as a sentence names it ("the S&P 500")
    tone: float | None = None  # toward this instrument (enrich.tone); None: use ``sentiment``


def linked_items(
    store: Store, instrument_id: int, *, since: datetime, until: datetime
) -> list[LinkedItem]:
    """Items about the instrument published in [since, until), newest first."""
    with store.read() as s:
        rows = s.execute(
            select(EntityLink.news_item_id, EntityLink.relevance, EntityLink.tone).where(
                EntityLink.instrument_id == instrument_id
            )
        ).all()
        links = {item_id: relevance for item_id, relevance, _ in rows}
        tones = {item_id: tone for item_id, _, tone in rows}
        sentiments = dict(
            s.execute(
                select(Sentiment.news_item_id, Sentiment.score).where(
                    Sentiment.news_item_id.in_(list(links))
                )
            ).all()
        )
        stories = _stories_of(s, list(links))
    items = ingest_queries.news_items(store, until=until, since=since, ids=list(links))
    return [
        LinkedItem(
            item_id=i.id,
            title=i.title,
            summary=i.summary,
            url=i.url,
            publisher_domain=i.publisher_domain,
            publisher_name=i.publisher_name,
            published_at=i.published_at,
            relevance=links[i.id],
            sentiment=sentiments.get(i.id),
            story_id=stories.get(i.id, (None, 1))[0],
            story_outlets=stories.get(i.id, (None, 1))[1],
            outlet=i.outlet,
            language=i.language,
            tone=tones.get(i.id),
        )
        for i in items
    ]


def theme_linked_items(
    store: Store,
    instrument_id: int,
    *,
    since: datetime,
    until: datetime,
    exclude: frozenset[int] = frozenset(),
    known: Sequence[market_queries.InstrumentView] | None = None,
) -> list[LinkedItem]:
    """Items in [since, until) reaching the instrument only through a theme (``exclude``: ids
    already linked by name), newest first, as ``link_kind="theme"`` with the themes carrying
    them and relevance ``THEME_LINK_WEIGHT`` x the strongest of those themes (``known``: the
    stored instruments, when the caller has read them)."""
    if known is None:
        known = market_queries.instruments(store)
    resolved = resolve_theme_map(
        MapInstrument(i.id, i.symbol, i.asset_class, i.benchmark_symbol, i.member_of) for i in known
    )
    wanted = themes_reaching(instrument_id, resolved)
    if not wanted:
        return []
    items = ingest_queries.news_items(store, until=until, since=since)
    ids = [i.id for i in items if i.id not in exclude]
    found: dict[int, dict[str, float]] = {}
    with store.read() as s:
        for item_id, theme, relevance in s.execute(
            select(ItemTheme.news_item_id, ItemTheme.theme, ItemTheme.relevance).where(
                ItemTheme.news_item_id.in_(ids), ItemTheme.theme.in_(sorted(wanted))
            )
        ).all():
            found.setdefault(item_id, {})[theme] = relevance
        sentiments = dict(
            s.execute(
                select(Sentiment.news_item_id, Sentiment.score).where(
                    Sentiment.news_item_id.in_(list(found))
                )
            ).all()
        )
        stories = _stories_of(s, list(found))
    goal = next((target_of(i) for i in known if i.id == instrument_id), None)
    return [
        LinkedItem(
            item_id=i.id,
            title=i.title,
            summary=i.summary,
            url=i.url,
            publisher_domain=i.publisher_domain,
            publisher_name=i.publisher_name,
            published_at=i.published_at,
            relevance=round(THEME_LINK_WEIGHT * max(found[i.id].values()), 3),
            sentiment=sentiments.get(i.id),
            story_id=stories.get(i.id, (None, 1))[0],
            story_outlets=stories.get(i.id, (None, 1))[1],
            outlet=i.outlet,
            language=i.language,
            tone=_theme_tone(i.title, i.summary, goal),
            link_kind="theme",
            themes=tuple(sorted(found[i.id], key=lambda t: (-found[i.id][t], t))),
        )
        for i in items
        if i.id in found
    ]


def _theme_tone(title: str, summary: str, goal: Target | None) -> float | None:
    """The tone of a theme-linked item toward the instrument ("Oil jumps, stocks drop" reaches
    ^GSPC through oil and is negative for it), computed on read: theme links are not stored."""
    return tone_toward(title, summary, goal) if goal is not None else None


def instrument_news(
    store: Store, instrument_id: int, *, since: datetime, until: datetime
) -> list[LinkedItem]:
    """Everything a brief or a score reads about the instrument: its named links first, then the
    items reaching it only through a theme (weaker, ``link_kind="theme"``)."""
    named = linked_items(store, instrument_id, since=since, until=until)
    known = market_queries.instruments(store)
    inst = next((i for i in known if i.id == instrument_id), None)
    tracked = tracked_instrument(inst, {i.symbol: i for i in known}) if inst else None
    if tracked is not None:
        own = frozenset(i.item_id for i in named)
        named += [
            _through(i, tracked)
            for i in linked_items(store, tracked.id, since=since, until=until)
            if i.item_id not in own
        ]
    exclude = frozenset(i.item_id for i in named)
    return named + theme_linked_items(
        store, instrument_id, since=since, until=until, exclude=exclude, known=known
    )


@functools.cache
def tracker_table() -> dict[str, tuple[str, ...]]:
    """The shipped ``data/trackers.tsv``: fund or future symbol -> what it tracks, preferred first."""
    text = (
        resources.files("tapewire.enrich").joinpath("data/trackers.tsv").read_text(encoding="utf-8")
    )
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {symbol: tuple(targets.split()) for symbol, targets in rows}


def tracked_instrument(
    inst: market_queries.InstrumentView, by_symbol: Mapping[str, market_queries.InstrumentView]
) -> market_queries.InstrumentView | None:
    """The stored instrument ``inst`` tracks (SPY: ^GSPC), or None (``by_symbol``: the stored
    instruments by symbol)."""
    for symbol in tracker_table().get(inst.symbol.upper(), ()):
        if symbol in by_symbol and by_symbol[symbol].id != inst.id:
            return by_symbol[symbol]
    return None


def _tracked_name(tracked: market_queries.InstrumentView) -> str:
    """How a sentence names what is tracked: "the S&P 500" for an index, else its stored name."""
    name = tracked.name or tracked.symbol
    if tracked.asset_class == "Indices" and not name.lower().startswith("the "):
        return f"the {name}"
    if tracked.asset_class == "Commodities" and name[:2].istitle():  # "Gold" -> "gold", not "WTI"
        return name[0].lower() + name[1:]
    return name


def _through(item: LinkedItem, tracked: market_queries.InstrumentView) -> LinkedItem:
    """A named link of the tracked instrument, read as a weaker link of the tracker (its tone
    toward the index is its tone toward a fund that follows the index)."""
    return replace(
        item,
        relevance=round(TRACK_LINK_WEIGHT * item.relevance, 3),
        link_kind="tracks",
        via=_tracked_name(tracked),
    )


class NewsWindow:
    """The news of [since, until) for every instrument, read once (issue #16): the items of the
    window, their named links, themes, sentiments and stories in five queries, and the theme map
    resolved once. ``news(id)`` equals ``instrument_news(store, id, since, until)`` item for item
    (tests/enrich/test_news_window.py compares them on a real replay); a stage that briefs or
    scores every instrument reads this once per run instead of once per instrument, which read
    every instrument and the whole window per call (O(instruments^2) per pass).

    The store's news must not change while the window is used (a stage reads, it does not ingest).
    """

    def __init__(self, store: Store, *, since: datetime, until: datetime) -> None:
        self.since, self.until = since, until
        self._items = ingest_queries.news_items(store, until=until, since=since)
        self._known = {i.id: i for i in market_queries.instruments(store)}
        # what each instrument tracks (SPY: ^GSPC), resolved once for the window
        by_symbol = {i.symbol: i for i in self._known.values()}
        self._tracked = {
            i.id: t for i in self._known.values() if (t := tracked_instrument(i, by_symbol))
        }
        self._resolved = resolve_theme_map(
            MapInstrument(i.id, i.symbol, i.asset_class, i.benchmark_symbol, i.member_of)
            for i in self._known.values()
        )
        self._links: dict[int, dict[int, tuple[float, float | None]]] = {}
        self._themes: dict[int, dict[str, float]] = {}
        window = ingest_queries.published_ids(since=since, until=until)
        with store.read() as s:
            for item_id, instrument_id, relevance, tone in s.execute(
                select(
                    EntityLink.news_item_id,
                    EntityLink.instrument_id,
                    EntityLink.relevance,
                    EntityLink.tone,
                ).where(EntityLink.news_item_id.in_(window))
            ).all():
                self._links.setdefault(instrument_id, {})[item_id] = (relevance, tone)
            for item_id, theme, relevance in s.execute(
                select(ItemTheme.news_item_id, ItemTheme.theme, ItemTheme.relevance).where(
                    ItemTheme.news_item_id.in_(window)
                )
            ).all():
                self._themes.setdefault(item_id, {})[theme] = relevance
            self._sentiments: dict[int, float] = dict(
                s.execute(
                    select(Sentiment.news_item_id, Sentiment.score).where(
                        Sentiment.news_item_id.in_(window)
                    )
                ).all()
            )
            self._stories = _stories_of(s, window)

    def _covers(self, since: datetime | None) -> datetime:
        if since is None:
            return self.since
        if since < self.since:
            raise ValueError(f"the window starts at {self.since}, not {since}")
        return since

    def named(self, instrument_id: int, *, since: datetime | None = None) -> list[LinkedItem]:
        """``linked_items`` of the instrument (from ``since``, default the window's start)."""
        start = self._covers(since)
        links = self._links.get(instrument_id, {})
        return [
            self._linked(i, links[i.id][0], links[i.id][1])
            for i in self._items
            if i.id in links and i.published_at >= start
        ]

    def themed(
        self,
        instrument_id: int,
        *,
        since: datetime | None = None,
        exclude: frozenset[int] = frozenset(),
    ) -> list[LinkedItem]:
        """``theme_linked_items`` of the instrument."""
        start = self._covers(since)
        wanted = themes_reaching(instrument_id, self._resolved)
        if not wanted:
            return []
        inst = self._known.get(instrument_id)
        goal = target_of(inst) if inst is not None else None
        out = []
        for i in self._items:
            if i.id in exclude or i.published_at < start:
                continue
            found = {t: r for t, r in self._themes.get(i.id, {}).items() if t in wanted}
            if not found:
                continue
            out.append(
                replace(
                    self._linked(
                        i,
                        round(THEME_LINK_WEIGHT * max(found.values()), 3),
                        _theme_tone(i.title, i.summary, goal),
                    ),
                    link_kind="theme",
                    themes=tuple(sorted(found, key=lambda t: (-found[t], t))),
                )
            )
        return out

    def news(self, instrument_id: int, *, since: datetime | None = None) -> list[LinkedItem]:
        """``instrument_news`` of the instrument: named links first, then theme links."""
        named = self.named(instrument_id, since=since)
        tracked = self._tracked.get(instrument_id)
        if tracked is not None:
            own = frozenset(i.item_id for i in named)
            named += [
                _through(i, tracked)
                for i in self.named(tracked.id, since=since)
                if i.item_id not in own
            ]
        exclude = frozenset(i.item_id for i in named)
        return named + self.themed(instrument_id, since=since, exclude=exclude)

    def _linked(self, i: NewsItemView, relevance: float, tone: float | None) -> LinkedItem:
        story_id, outlets = self._stories.get(i.id, (None, 1))
        return LinkedItem(
            item_id=i.id,
            title=i.title,
            summary=i.summary,
            url=i.url,
            publisher_domain=i.publisher_domain,
            publisher_name=i.publisher_name,
            published_at=i.published_at,
            relevance=relevance,
            sentiment=self._sentiments.get(i.id),
            story_id=story_id,
            story_outlets=outlets,
            outlet=i.outlet,
            language=i.language,
            tone=tone,
        )


def _stories_of(s: Session, item_ids: list[int] | Select[Any]) -> dict[int, tuple[int, int]]:
    return {
        item_id: (story_id, outlets)
        for item_id, story_id, outlets in s.execute(
            select(StoryItem.news_item_id, Story.id, Story.outlet_count)
            .join(Story, Story.id == StoryItem.story_id)
            .where(StoryItem.news_item_id.in_(item_ids))
        ).all()
    }


def item_themes(store: Store, item_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The stored themes of each item, strongest first (items without a theme are left out)."""
    with store.read() as s:
        rows = s.execute(
            select(ItemTheme.news_item_id, ItemTheme.theme, ItemTheme.relevance).where(
                ItemTheme.news_item_id.in_(list(item_ids))
            )
        ).all()
    out: dict[int, list[tuple[float, str]]] = {}
    for item_id, theme, relevance in rows:
        out.setdefault(item_id, []).append((-relevance, theme))
    return {item_id: tuple(t for _, t in sorted(pairs)) for item_id, pairs in out.items()}


def story_themes(store: Store, story_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """A story's themes, from its items: the themes most of its items carry first (ties by
    summed strength, then name); stories whose items have no theme are left out."""
    with store.read() as s:
        rows = s.execute(
            select(StoryItem.story_id, ItemTheme.theme, ItemTheme.relevance)
            .join(ItemTheme, ItemTheme.news_item_id == StoryItem.news_item_id)
            .where(StoryItem.story_id.in_(list(story_ids)))
        ).all()
    tally: dict[int, dict[str, tuple[int, float]]] = {}
    for story_id, theme, relevance in rows:
        count, total = tally.setdefault(story_id, {}).get(theme, (0, 0.0))
        tally[story_id][theme] = (count + 1, total + relevance)
    return {
        story_id: tuple(sorted(themes, key=lambda t: (-themes[t][0], -themes[t][1], t)))
        for story_id, themes in tally.items()
    }


@dataclass(frozen=True, slots=True)
class StoryView:
    id: int
    title: str
    first_seen_at: datetime
    last_seen_at: datetime
    item_count: int
    outlet_count: int
    headline_outlet: str = ""  # the outlet that ran ``title`` (the representative headline)
    outlets: tuple[str, ...] = ()  # distinct outlets, by first coverage
    instruments: tuple[str, ...] = ()  # symbols its items are linked to


def recent_stories(store: Store, *, until: datetime, limit: int = 50) -> list[StoryView]:
    """Stories first seen before ``until``, most recently active first."""
    symbols_of = _symbols(store)
    with store.read() as s:
        rows = s.scalars(
            select(Story)
            .where(Story.first_seen_at < until)
            .order_by(Story.last_seen_at.desc(), Story.id.desc())
            .limit(limit)
        ).all()
        symbols = _story_symbols(s, [r.id for r in rows], symbols_of)
        return [
            StoryView(
                r.id,
                r.title,
                r.first_seen_at,
                r.last_seen_at,
                r.item_count,
                r.outlet_count,
                r.headline_outlet,
                tuple(r.outlets or ()),
                symbols.get(r.id, ()),
            )
            for r in rows
        ]


def story(store: Store, story_id: int) -> StoryView | None:
    """One story by id (its representative headline, outlets and instruments), or None."""
    symbols_of = _symbols(store)
    with store.read() as s:
        r = s.get(Story, story_id)
        if r is None:
            return None
        symbols = _story_symbols(s, [story_id], symbols_of)
        return StoryView(
            r.id,
            r.title,
            r.first_seen_at,
            r.last_seen_at,
            r.item_count,
            r.outlet_count,
            r.headline_outlet,
            tuple(r.outlets or ()),
            symbols.get(r.id, ()),
        )


def _symbols(store: Store) -> dict[int, str]:
    return {inst.id: inst.symbol for inst in market_queries.instruments(store, active_only=False)}


def _story_symbols(
    s: Session, story_ids: list[int], symbol: dict[int, str]
) -> dict[int, tuple[str, ...]]:
    """Story id -> the symbols of the instruments its items are linked to (via entity links)."""
    found: dict[int, set[int]] = {}
    for story_id, instrument_id in s.execute(
        select(StoryItem.story_id, EntityLink.instrument_id)
        .join(EntityLink, EntityLink.news_item_id == StoryItem.news_item_id)
        .where(StoryItem.story_id.in_(story_ids))
    ).all():
        found.setdefault(story_id, set()).add(instrument_id)
    return {k: tuple(sorted(symbol[i] for i in v if i in symbol)) for k, v in found.items()}


@dataclass(frozen=True, slots=True)
class StoryDetail:
    story: StoryView
    items: list[ingest_queries.NewsItemView]
    themes: list[tuple[str, int]]  # theme, items about it; most first
    instruments: list[tuple[int, int]]  # instrument id, items naming it; most first


_STORY_COLUMNS = (
    Story.id,
    Story.title,
    Story.headline_outlet,
    Story.outlets,
    Story.outlet_count,
    Story.item_count,
    Story.first_seen_at,
    Story.last_seen_at,
)
STORY_ITEMS_MAX = 300  # items one story page lists at most


def _story_view(row: Any) -> StoryView:
    id_, title, outlet, outlets, n_outlets, n_items, first, last = row
    return StoryView(
        id_, title, first, last, n_items, n_outlets, outlet or "", tuple(outlets or ())
    )


def top_stories(
    store: Store, *, limit: int = 8, window: timedelta = timedelta(hours=72)
) -> list[StoryView]:
    """The stories covered by the most outlets (then items) among those seen within ``window``
    of the newest story: the ``ix_story_last_seen_at`` range, not every story."""
    newest_q, top_q = _top_statements()
    with store.connect() as c:
        newest = c.scalar(newest_q)
        if newest is None:
            return []
        rows = c.execute(top_q, {"since": newest - window, "limit": limit}).all()
    return [_story_view(r) for r in rows]


@functools.cache
def _top_statements() -> tuple[Any, Any]:
    """Built once: building a select costs more than running it on a few index rows (#16)."""
    newest = select(Story.last_seen_at).order_by(Story.last_seen_at.desc()).limit(1)
    top = (
        select(*_STORY_COLUMNS)
        .where(Story.last_seen_at >= bindparam("since"))
        .order_by(Story.outlet_count.desc(), Story.item_count.desc(), Story.id.desc())
        .limit(bindparam("limit"))
    )
    return newest, top


def story_detail(store: Store, story_id: int) -> StoryDetail | None:
    """One story with its items (newest first, at most ``STORY_ITEMS_MAX``), the themes of those
    items and the instruments they name."""
    with store.connect() as c:
        row = c.execute(select(*_STORY_COLUMNS).where(Story.id == story_id)).first()
        if row is None:
            return None
        ids = list(
            c.scalars(
                select(StoryItem.news_item_id)
                .where(StoryItem.story_id == story_id)
                .order_by(StoryItem.news_item_id.desc())
                .limit(STORY_ITEMS_MAX)
            )
        )
        themes = [
            (theme, int(n))
            for theme, n in c.execute(
                select(ItemTheme.theme, func.count(ItemTheme.id))
                .where(ItemTheme.news_item_id.in_(ids))
                .group_by(ItemTheme.theme)
                .order_by(func.count(ItemTheme.id).desc(), ItemTheme.theme)
            )
        ]
        instruments = [
            (int(inst), int(n))
            for inst, n in c.execute(
                select(EntityLink.instrument_id, func.count(EntityLink.id))
                .where(EntityLink.news_item_id.in_(ids))
                .group_by(EntityLink.instrument_id)
                .order_by(func.count(EntityLink.id).desc(), EntityLink.instrument_id)
            )
        ]
    items = ingest_queries.news_items_by_id(store, ids)
    return StoryDetail(_story_view(row), items, themes, instruments)
