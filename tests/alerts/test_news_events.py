"""News events fire rules in their stage's own transaction: ``keyword`` on every newly linked
item (the enrich stage), ``story_heat`` on one story about the instrument reaching a Heat (the
signals stage; rising edge, once per story)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from tapewire.alerts.evaluate import evaluate_event
from tapewire.alerts.models import Alert, Outbox
from tapewire.alerts.rules import RuleSpec, add_rule
from tapewire.config import Settings
from tapewire.context import RunContext
from tapewire.enrich import stage as enrich_stage
from tapewire.enrich.queries import LinkedItem
from tapewire.ingest.parse import parse_feed
from tapewire.ingest.stage import add_feed, normalize_items, save_items
from tapewire.market.models import Instrument
from tapewire.signals.heat import story_heats
from tapewire.signals.stage import story_events
from tapewire.store import Store

AS_OF = datetime(2026, 12, 7, 18, tzinfo=UTC)

GOOGLE_NEWS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>"Exxon" - Google News</title><link>https://news.google.com/</link><language>en-US</language>
<item><title>Exxon Mobil shares jump as oil tops $100 - Reuters</title>
<link>https://news.google.com/rss/articles/CBMiR1?oc=5</link>
<pubDate>Mon, 07 Dec 2026 09:00:00 GMT</pubDate>
<source url="https://www.reuters.com">Reuters</source></item>
</channel></rss>"""

CNBC = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>International: Top News And Analysis</title><link>https://www.cnbc.com/</link>
<item><title>Exxon Mobil shares jump as crude tops $100 a barrel</title>
<link>https://www.cnbc.com/2026/12/07/exxon-shares-jump-oil.html</link>
<pubDate>Mon, 07 Dec 2026 10:30:00 GMT</pubDate></item>
<item><title>Fed officials signal patience on rate cuts into next year</title>
<link>https://www.cnbc.com/2026/12/07/fed-patience.html</link>
<pubDate>Mon, 07 Dec 2026 11:00:00 GMT</pubDate></item>
</channel></rss>"""

LATER = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<title>Energy</title><link>https://www.example-energy.com/</link>
<item><title>Exxon Mobil faces crude spill probe in Gulf</title>
<link>https://www.example-energy.com/exxon-spill.html</link>
<pubDate>Mon, 07 Dec 2026 15:00:00 GMT</pubDate></item>
</channel></rss>"""


def _ingest(store: Store, url: str, body: bytes) -> None:
    items = normalize_items(parse_feed(body, url=url), fetched_at=AS_OF, base_url=url)
    with store.write() as s:
        feed_id, _ = add_feed(s, url, now=AS_OF - timedelta(days=1))
        save_items(s, items, feed_id=feed_id, fetched_at=AS_OF)


def _rule(store: Store, settings: Settings, trigger: str, **kw: Any) -> int:
    spec = RuleSpec(trigger, "webhook", "http://127.0.0.1:9/h", **kw)
    return add_rule(store, settings, spec, api_key_id=None, now=AS_OF - timedelta(days=2)).id


def _alerts(store: Store, rule_id: int | None = None) -> list[Alert]:
    with store.read() as s:
        query = select(Alert).order_by(Alert.id)
        if rule_id is not None:
            query = query.where(Alert.rule_id == rule_id)
        return list(s.scalars(query))


def test_keyword_rules_fire_on_every_newly_linked_item(
    astore: Store, asettings: Settings, make_ctx: Callable[..., RunContext]
) -> None:
    with astore.write() as s:
        s.add(Instrument(symbol="XOM", name="Exxon Mobil", asset_class="Stocks", aliases=["Exxon"]))
    crude = _rule(
        astore,
        asettings,
        "keyword",
        params={"keyword": "crude"},
        scope="instrument:XOM",
        frequency="cooldown",
        cooldown_s=60,
    )
    jump = _rule(
        astore, asettings, "keyword", params={"keyword": "shares jump"}, frequency="once_per_story"
    )
    fed = _rule(astore, asettings, "keyword", params={"keyword": "patience"})  # links no one
    oil = _rule(  # the item's themes are in the event: theme scopes apply
        astore, asettings, "keyword", params={"keyword": "Exxon"}, scope="theme:oil"
    )
    rates = _rule(astore, asettings, "keyword", params={"keyword": "Exxon"}, scope="theme:rates")
    _ingest(astore, "https://news.google.com/rss/search?q=Exxon", GOOGLE_NEWS)
    _ingest(astore, "https://www.cnbc.com/id/100727362/device/rss/rss.html", CNBC)
    enrich_stage.run(make_ctx(astore, as_of=AS_OF))

    (hit,) = _alerts(astore, crude)
    assert hit.event == "item_linked" and hit.symbol == "XOM"
    assert hit.data["headline"] == "Exxon Mobil shares jump as crude tops $100 a barrel"
    assert hit.data["outlet"] == "CNBC"
    assert hit.data["url"] == "https://www.cnbc.com/2026/12/07/exxon-shares-jump-oil.html"
    assert hit.data["keyword"] == "crude" and hit.data["story_id"] is not None
    # both "shares jump" items are one story: once per story is once
    (story_hit,) = _alerts(astore, jump)
    assert story_hit.data["story_id"] == hit.data["story_id"]
    assert _alerts(astore, fed) == []  # the Fed item names no instrument: nothing linked
    (oil_hit,) = _alerts(astore, oil)  # once per bar: the day's first oil item
    assert oil_hit.symbol == "XOM" and _alerts(astore, rates) == []
    with astore.read() as s:
        assert {o.alert_id for o in s.scalars(select(Outbox))} == {
            hit.id,
            story_hit.id,
            oil_hit.id,
        }

    enrich_stage.run(make_ctx(astore, as_of=AS_OF))  # links already stored: nothing new
    assert len(_alerts(astore)) == 3
    _ingest(astore, "https://www.example-energy.com/rss", LATER)
    later = AS_OF + timedelta(minutes=5)  # past the cooldown (once_per_bar: once that day)
    enrich_stage.run(make_ctx(astore, as_of=AS_OF, now=later))  # one newly linked "crude" item
    new = _alerts(astore, crude)
    assert (
        len(new) == 2 and new[1].data["headline"] == "Exxon Mobil faces crude spill probe in Gulf"
    )


def test_story_heat_is_per_story_on_the_instruments_scale() -> None:
    now = AS_OF
    hot = [(now - timedelta(hours=h), outlet, 7) for h, outlet in ((1, "A"), (2, "B"), (3, "C"))]
    cold = [(now - timedelta(hours=4), "A", 8)]
    loose = [(now - timedelta(hours=5), "D", None)]  # no story: no story heat
    baseline = [(now - timedelta(days=d, hours=2), "A", 100 + d) for d in range(2, 6)]
    items: list[tuple[datetime, str, int | None]] = [*hot, *cold, *loose, *baseline]
    heats = story_heats(items, as_of=now)
    assert set(heats) == {7, 8}  # only stories with items in the last 24 h
    assert heats[7] > heats[8] > 0
    quieter = story_heats(hot, as_of=now)  # no baseline: the same story is hotter
    assert quieter[7] > heats[7]


def test_story_events_carry_the_storys_first_headline() -> None:
    def item(n: int, hours: float, outlet: str, story: int | None) -> LinkedItem:
        return LinkedItem(
            item_id=n,
            title=f"headline {n}",
            summary="",
            url=f"https://news.example/{n}",
            publisher_domain="news.example",
            publisher_name=None,
            published_at=AS_OF - timedelta(hours=hours),
            relevance=1.0,
            sentiment=None,
            story_id=story,
            story_outlets=1,
            outlet=outlet,
        )

    items = [item(1, 2, "B", 5), item(2, 3, "A", 5), item(3, 1, "C", None), item(4, 1, "C", 6)]
    events = story_events("ACME", items, as_of=AS_OF)
    assert [(e["story_id"], e["headline"], e["outlet"]) for e in events] == [
        (5, "headline 2", "A"),
        (6, "headline 4", "C"),
    ]
    assert events[0]["heat"] > events[1]["heat"] and events[0]["symbol"] == "ACME"


def test_story_heat_fires_on_the_rising_edge_once_per_story(
    astore: Store, asettings: Settings
) -> None:
    once = _rule(astore, asettings, "story_heat", params={"value": 50}, frequency="once_per_story")
    edge = _rule(
        astore, asettings, "story_heat", params={"value": 50}, frequency="cooldown", cooldown_s=1
    )
    steps = [  # (story, heat, alerts of `once`, alerts of `edge`)
        (1, 30.0, 0, 0),
        (1, 60.0, 1, 1),  # story 1 reaches 50
        (1, 70.0, 0, 0),  # still above: no edge
        (2, 80.0, 1, 1),  # a new story already hot rises from nothing
        (1, 20.0, 0, 0),
        (1, 55.0, 0, 1),  # a second rising edge: `once` already fired for story 1
    ]
    for n, (story, heat, want_once, want_edge) in enumerate(steps):
        data = {"symbol": "ACME", "story_id": story, "heat": heat, "headline": f"story {story}"}
        before = (len(_alerts(astore, once)), len(_alerts(astore, edge)))
        with astore.write() as s:
            evaluate_event(s, "story_heat", data, now=AS_OF + timedelta(minutes=n))
        got = (len(_alerts(astore, once)) - before[0], len(_alerts(astore, edge)) - before[1])
        assert got == (want_once, want_edge), (story, heat)
    with astore.write() as s:  # the instrument's Heat on a signal no longer fires story rules
        evaluate_event(s, "signal", {"symbol": "ACME", "heat": 99.0}, now=AS_OF + timedelta(1))
    assert len(_alerts(astore)) == 5
    assert {a.data["story_id"] for a in _alerts(astore, once)} == {1, 2}
