"""Enrich stage: entity links, themes, sentiment and stories for recent items."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tapewire.context import RunContext, StageReport
from tapewire.enrich.candidates import save_candidates
from tapewire.enrich.entities import (
    STORE_THRESHOLD,
    ItemLinks,
    Link,
    compile_aliases,
    link_item,
)
from tapewire.enrich.models import EntityLink, ItemTheme, Sentiment, Story, StoryItem
from tapewire.enrich.sentiment import MODEL_NAME, SentimentScore, score_texts
from tapewire.enrich.stories import StoryGroup, StoryInput, find_stories
from tapewire.enrich.themes import ThemeHit, find_themes
from tapewire.enrich.tone_links import compute_link_tones, save_missing_tones
from tapewire.ingest import queries as ingest_queries
from tapewire.ingest.queries import NewsItemView
from tapewire.market import queries as market_queries
from tapewire.net.redact import redact_url

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=7)  # items older than this are left as they were enriched


def run(ctx: RunContext) -> StageReport:
    report = StageReport("enrich")
    items = ingest_queries.news_items(ctx.store, until=ctx.as_of, since=ctx.as_of - LOOKBACK)
    aliases = compile_aliases(
        (inst.id, inst.symbol, inst.aliases) for inst in market_queries.instruments(ctx.store)
    )
    themes: dict[int, list[ThemeHit]] = {}
    linked: dict[int, ItemLinks] = {}
    kept = []
    for item in items:
        try:  # one item that breaks a reader costs that item, not the pass (issue #17)
            item_themes = find_themes(item.title, item.summary)
            item_links = link_item(item.title, item.summary, aliases, item.language)
        except Exception as exc:
            log.exception("cannot enrich item %s (%s)", item.id, redact_url(item.url))
            report.fail(redact_url(item.url), f"not enriched: {type(exc).__name__}: {exc}")
            continue
        themes[item.id], linked[item.id] = item_themes, item_links
        kept.append(item)
    items = kept
    links = {
        item_id: [link for link in found.links if link.relevance >= STORE_THRESHOLD]
        for item_id, found in linked.items()
    }
    scores = dict(zip([i.id for i in items], score_texts([i.title for i in items]), strict=True))
    tones = compute_link_tones(items, links, market_queries.instruments(ctx.store), scores)
    stories = find_stories([_story_input(item, links) for item in items])
    symbols = {inst.id: inst.symbol for inst in market_queries.instruments(ctx.store)}
    with ctx.store.write() as s:
        new_links = _save_links(s, links, tones)
        report.add("links", len(new_links))
        report.add("themes", _save_themes(s, themes))
        report.add("candidates", save_candidates(s, items, linked))
        report.add("tones filled", save_missing_tones(s, tones))
        report.add("sentiments", _save_sentiments(s, scores))
        story_of = _save_stories(s, stories)
        _emit_linked(ctx, s, new_links, {i.id: i for i in items}, symbols, story_of, themes)
    report.add("items", len(items))
    report.add("stories", len(stories))
    return report


def _story_input(item: NewsItemView, links: dict[int, list[Link]]) -> StoryInput:
    ids = frozenset(link.instrument_id for link in links[item.id])
    return StoryInput(
        item.id, item.title, item.published_at, item.outlet, ids, language=item.language
    )


def _emit_linked(
    ctx: RunContext,
    s: Session,
    new_links: list[tuple[int, int]],
    items: dict[int, NewsItemView],
    symbols: dict[int, str],
    story_of: dict[int, int],
    themes: dict[int, list[ThemeHit]],
) -> None:
    """One ``item_linked`` event per new (item, instrument) link, in the links' transaction
    (alerts: ``keyword`` rules read every newly linked headline, not only briefs')."""
    for item_id, instrument_id in new_links:
        item, symbol = items.get(item_id), symbols.get(instrument_id)
        if item is None or symbol is None:
            continue
        data = {
            "symbol": symbol,
            "headline": item.title,
            "outlet": item.outlet,
            "url": item.url,
            "item_id": item_id,
            "story_id": story_of.get(item_id),
            "bar": item.published_at.date(),  # once_per_bar: once per symbol and day
            "themes": sorted({hit.theme for hit in themes.get(item_id, ())}),  # theme: scopes
        }
        ctx.emit(s, "item_linked", data)


def _save_links(
    s: Session, links: dict[int, list[Link]], tones: dict[tuple[int, int], float]
) -> list[tuple[int, int]]:
    """Stores the links not stored yet; returns those new (item id, instrument id) pairs."""
    known: set[tuple[int, int]] = {
        (item, inst)
        for item, inst in s.execute(select(EntityLink.news_item_id, EntityLink.instrument_id))
    }
    new: list[tuple[int, int]] = []
    for item_id, found in links.items():
        for link in found:
            if (item_id, link.instrument_id) in known:
                continue
            s.add(
                EntityLink(
                    news_item_id=item_id,
                    instrument_id=link.instrument_id,
                    relevance=link.relevance,
                    matched=link.evidence,
                    kind=link.kind,
                    field=link.field,
                    evidence=link.evidence,
                    tone=tones.get((item_id, link.instrument_id)),
                )
            )
            known.add((item_id, link.instrument_id))
            new.append((item_id, link.instrument_id))
    return new


def _save_themes(s: Session, themes: dict[int, list[ThemeHit]]) -> int:
    """Replace the window's item themes with those found now (so better patterns apply)."""
    s.execute(delete(ItemTheme).where(ItemTheme.news_item_id.in_(list(themes))))
    s.add_all(
        ItemTheme(news_item_id=i, theme=h.theme, evidence=h.evidence, relevance=h.relevance)
        for i, hits in themes.items()
        for h in hits
    )
    return sum(len(hits) for hits in themes.values())


def _save_sentiments(s: Session, scores: dict[int, SentimentScore]) -> int:
    known = set(
        s.scalars(select(Sentiment.news_item_id).where(Sentiment.news_item_id.in_(list(scores))))
    )
    new = 0
    for item_id, score in scores.items():
        if item_id not in known:
            s.add(
                Sentiment(
                    news_item_id=item_id, score=score.score, label=score.label, model=MODEL_NAME
                )
            )
            new += 1
    return new


def _save_stories(s: Session, groups: list[StoryGroup]) -> dict[int, int]:
    """Re-home the window's items into the stories found now; drop stories left empty.

    Returns each re-homed item's story id."""
    story_of: dict[int, int] = {}
    item_ids = [i for g in groups for i in g.item_ids]
    s.execute(delete(StoryItem).where(StoryItem.news_item_id.in_(item_ids)))
    for group in groups:
        story = s.scalars(select(Story).where(Story.key == group.key)).first()
        if story is None:
            story = Story(key=group.key)
            s.add(story)
        story.title, story.first_seen_at, story.last_seen_at = (
            group.title,
            group.first_seen_at,
            group.last_seen_at,
        )
        story.item_count, story.outlet_count = len(group.item_ids), group.outlet_count
        story.headline_outlet, story.outlets = group.headline_outlet[:255], list(group.outlets)
        s.flush()
        s.add_all(StoryItem(story_id=story.id, news_item_id=i) for i in group.item_ids)
        story_of.update(dict.fromkeys(group.item_ids, story.id))
    s.flush()
    used = select(StoryItem.story_id).distinct()
    s.execute(delete(Story).where(Story.id.not_in(used)))
    return story_of
