"""Tone toward the linked instrument: mixed headlines, domain cues, the per-link store column and
Pulse's news component reading it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tapewire.context import RunContext
from tapewire.enrich import queries as enrich_queries
from tapewire.enrich import stage as enrich_stage
from tapewire.enrich.models import EntityLink
from tapewire.enrich.tone import Target, target, tone_toward
from tapewire.ingest.parse import parse_feed
from tapewire.ingest.stage import normalize_items, save_items
from tapewire.market import queries as market_queries
from tapewire.market.stage import InstrumentSpec, save_instrument
from tapewire.signals.stage import gather_inputs
from tapewire.store import Store
from tests.support.cli import cli_env

SPX = target("^GSPC", ("S&P 500",), "Indices")
CRUDE = target("CL=F", ("Crude Oil",), "Commodities")
META = target("META", ("Meta Platforms, Inc.", "Facebook"), "Stocks")
AAPL = target("AAPL", ("Apple Inc.",), "Stocks")


def never(text: str) -> float:
    raise AssertionError(f"a cue should have decided, not the sentence model ({text!r})")


# ---------------------------------------------------------------- tone_toward (pure)


def test_oil_jumps_stocks_drop_cuts_both_ways() -> None:
    title = "Oil Jumps, Stocks Drop as Iran Tensions Flare"
    assert tone_toward(title, "", SPX, sentence_score=never) < -0.3
    assert tone_toward(title, "", CRUDE, sentence_score=never) > 0.3
    assert tone_toward("Stocks rally as oil slides", "", SPX, sentence_score=never) > 0.3
    assert tone_toward("Stocks rally as oil slides", "", CRUDE, sentence_score=never) < -0.3


@pytest.mark.parametrize(
    "title",
    ["Meta planning sweeping layoffs", "Meta cuts 10% of staff", "Meta to slash 600 jobs"],
)
def test_layoffs_are_negative(title: str) -> None:
    assert tone_toward(title, "", META, sentence_score=never) < -0.3


@pytest.mark.parametrize(
    ("symbol", "name", "title", "sign"),
    [  # real MarketWatch titles of 2023-11-30, read as neutral (-0.04 .. +0.02) toward their own
        # company: "Corp." ended a clause, and "Thursday" counted as another subject
        (
            "CVX",
            "Chevron Corporation",
            "Chevron Corp. stock falls Thursday, underperforms market",
            -1,
        ),
        (
            "JPM",
            "JPMorgan Chase",
            "JPMorgan Chase & Co. stock rises Thursday, outperforms market",
            1,
        ),
        (
            "GOOGL",
            "Alphabet Inc.",
            "Alphabet Inc. Cl A stock falls Thursday, underperforms market",
            -1,
        ),
        ("AMZN", "Amazon", "Amazon.com Inc. stock falls Thursday, underperforms market", -1),
        (
            "MSFT",
            "Microsoft",
            "Microsoft Corp. stock rises Thursday, still underperforms market",
            1,
        ),
    ],
)
def test_a_company_abbreviation_and_a_weekday_do_not_hide_the_move(
    symbol: str, name: str, title: str, sign: int
) -> None:
    tone = tone_toward(title, "", target(symbol, (name,), "Stocks"), sentence_score=never)
    assert tone * sign > 0.3


def test_shares_rising_on_layoffs_is_positive() -> None:
    assert tone_toward("Meta shares rise after layoffs", "", META, sentence_score=never) > 0.3
    summary = "Shares rose 4% in premarket trading on the news."
    assert tone_toward("Meta cuts 10% of staff", summary, META, sentence_score=never) > 0.3
    # a summary move of some other asset does not count for the company
    other = "Oil rose 4% on the day."
    assert tone_toward("Meta cuts 10% of staff", other, META, sentence_score=never) < 0


@pytest.mark.parametrize(
    ("title", "sign"),
    [
        ("Apple profit rises 10% on iPhone demand", 1),
        ("Apple revenue falls short of estimates", -1),
        ("Apple swings to a loss", -1),
        ("Apple returns to profit in third quarter", 1),
        ("Apple's quarterly loss narrows", 1),
        ("Apple's quarterly loss widens", -1),
        ("Apple cuts dividend from $0.50 to $0.25", -1),
        ("Goldman raises Apple price target from 150 to 200", 1),
        ("Apple downgraded to sell at Goldman", -1),
        ("Apple upgraded to buy at Morgan Stanley", 1),
        ("Apple beats estimates", 1),
        ("Apple misses revenue estimates", -1),
        ("Apple shares did not fall despite the probe", 1),
    ],
)
def test_domain_cues(title: str, sign: int) -> None:
    assert tone_toward(title, "", AAPL, sentence_score=never) * sign > 0.3


def test_broad_market_words_and_fallback() -> None:
    assert tone_toward("Wall Street closes lower, posts weekly loss", "", SPX) < -0.3
    # only a clause about another asset: nothing about the index, whatever the mood
    assert tone_toward("Oil jumps to a five-month high", "", SPX, sentence_score=never) == 0.0
    # no cue about the target: the sentence model on the target's clause decides
    seen: list[str] = []

    def record(text: str) -> float:
        seen.append(text)
        return 0.25

    assert tone_toward("Apple unveils new iPhone", "", AAPL, sentence_score=record) == 0.25
    assert seen == ["Apple unveils new iPhone"]


def test_target_short_names_and_generic_words() -> None:
    meta = target("META", ("Meta Platforms, Inc.",), "Stocks")
    assert "Meta" in meta.names
    assert "stocks" in target("^GSPC", (), "Indices").terms
    assert "oil" in target("CL=F", (), "Commodities").terms
    assert tone_toward("$META sinks 8%", "", Target("META"), sentence_score=never) < -0.3


# ---------------------------------------------------------------- stored per link, read by Pulse

AS_OF = datetime(2026, 3, 10, 12, tzinfo=UTC)
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Oil Jumps, Stocks Drop as Iran Tensions Flare</title>
<link>https://example.com/a</link><pubDate>Tue, 10 Mar 2026 09:00:00 GMT</pubDate>
<description>Brent crude rose above $100.</description></item>
</channel></rss>"""


def _seed(store: Store) -> None:
    with store.write() as s:
        save_instrument(
            s, InstrumentSpec("^GSPC", "S&P 500", "Indices", aliases=("S&P 500", "stocks"))
        )
        save_instrument(
            s, InstrumentSpec("CL=F", "Crude Oil", "Commodities", aliases=("oil", "crude"))
        )
        items = normalize_items(parse_feed(FEED), fetched_at=AS_OF)
        save_items(s, items, feed_id=None, fetched_at=AS_OF)


def test_tone_is_stored_per_link_and_read_back(
    store: Store, make_ctx: Callable[..., RunContext]
) -> None:
    _seed(store)
    enrich_stage.run(make_ctx(store, AS_OF))
    spx = market_queries.instrument(store, "^GSPC")
    crude = market_queries.instrument(store, "CL=F")
    assert spx is not None and crude is not None
    with store.read() as s:
        tones = dict(s.execute(select(EntityLink.instrument_id, EntityLink.tone)).all())
    spx_tone, crude_tone = tones[spx.id], tones[crude.id]
    assert spx_tone is not None and spx_tone < -0.3
    assert crude_tone is not None and crude_tone > 0.3
    window = {"since": datetime(2026, 3, 1, tzinfo=UTC), "until": AS_OF}
    (spx_item,) = enrich_queries.linked_items(store, spx.id, **window)
    (crude_item,) = enrich_queries.linked_items(store, crude.id, **window)
    assert spx_item.tone == tones[spx.id] and crude_item.tone == tones[crude.id]
    assert spx_item.sentiment == crude_item.sentiment  # one item, one sentence sentiment


def test_pulse_news_uses_the_tone_toward_the_instrument(
    sqlite_store: Store, make_ctx: Callable[..., RunContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(sqlite_store)
    ctx = make_ctx(sqlite_store, AS_OF)
    enrich_stage.run(ctx)
    spx = market_queries.instrument(sqlite_store, "^GSPC")
    assert spx is not None
    # Missing seam: gather_inputs returns None without stored technicals, and computing them
    # needs a year of bars; the technicals read is replaced by a stand-in carrying no values.
    from tapewire.technicals import queries as technicals_queries

    def latest(*_args: object, **_kwargs: object) -> SimpleNamespace:
        return SimpleNamespace(values={}, levels=())

    monkeypatch.setattr(technicals_queries, "latest", latest)
    inputs = gather_inputs(ctx, spx)
    assert inputs is not None
    (news,) = inputs.news
    (item,) = enrich_queries.linked_items(
        sqlite_store, spx.id, since=datetime(2026, 3, 1, tzinfo=UTC), until=AS_OF
    )
    assert item.tone is not None and news.sentiment == item.tone < -0.3


# ---------------------------------------------------------------- the CLI


def test_cli_sentiment_toward(tmp_path: Path) -> None:
    title = "Oil jumps, stocks drop as Iran tensions flare"
    runs = {}
    command = [sys.executable, "-m", "tapewire.cli", "sentiment", "--format", "json", "--toward"]
    for symbol in ("^GSPC", "CL=F"):
        result = subprocess.run(
            [*command, symbol, title],
            capture_output=True,
            text=True,
            env=cli_env(tmp_path),
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        (runs[symbol],) = json.loads(result.stdout)
    assert runs["^GSPC"]["tone_label"] == "negative"
    assert runs["CL=F"]["tone_label"] == "positive"
    assert runs["^GSPC"]["score"] == runs["CL=F"]["score"]  # the sentence score is one


@pytest.mark.parametrize(
    ("title", "symbol"),
    [
        ("Alibaba Gets Rare Wall Street Downgrade as Rival Gains Traction", "^GSPC"),
        ("Asian stocks decline despite big monthly gains in US", "^GSPC"),
        ("India Stocks Get Rare Downgrade From SocGen on Election Risks", "^GSPC"),
        ("UK Oil and Gas Firm Waldorf Production Says It's Not for Sale", "CL=F"),
        ("Oil driller shares slump after dry well", "CL=F"),
    ],
)
def test_generic_words_only_when_they_mean_the_instrument(title: str, symbol: str) -> None:
    """Real 2023-12-01 sitemap titles: "Wall Street" as the analysts, another market's stocks,
    "oil" qualifying a company say nothing about the index or crude."""
    goal = {"^GSPC": SPX, "CL=F": CRUDE}[symbol]
    assert tone_toward(title, "", goal, sentence_score=lambda _text: 0.0) == 0.0


def test_links_stored_before_tones_get_one_on_the_next_run(
    sqlite_store: Store, make_ctx: Callable[..., RunContext]
) -> None:
    _seed(sqlite_store)
    ctx = make_ctx(sqlite_store, AS_OF)
    enrich_stage.run(ctx)
    with sqlite_store.write() as s:
        for link in s.scalars(select(EntityLink)):
            link.tone = None  # as the migration leaves links made before it
    report = enrich_stage.run(ctx)
    assert report.counts["tones filled"] == 2
    with sqlite_store.read() as s:
        assert None not in s.scalars(select(EntityLink.tone)).all()
