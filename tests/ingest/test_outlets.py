"""Attribution: every item carries the outlet that wrote it, as readers know it (issue #10).

Real fixtures first: the 2023-12-01 news sitemaps and RSS files in ../shared/data/feeds
(Bloomberg, Financial Times, MarketWatch, Fortune, DailyFX, The Economist; an RSS 2.0 file with
``<source>``). ../shared/data holds no Google News, Seeking Alpha, CNBC or NYT feed, so those
are small documents written here in each feed's published shape (channel titles as issue #10
quotes them: ``"site:reuters.com markets" - Google News``, "AAPL - News and Analysis from
Seeking Alpha", "International: Top News And Analysis", "NYT > Business").
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from tapewire.errors import BadInputError
from tapewire.ingest.language import guess_language, item_language, language_tag
from tapewire.ingest.outlets import (
    UNKNOWN_OUTLET,
    find_outlet,
    outlet_map,
    registered_domain,
)
from tapewire.ingest.parse import ParsedFeed, parse_feed
from tapewire.ingest.stage import NormalizedItem, normalize_items
from tests.conftest import shared_data

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def normalized(
    body: bytes, url: str = "https://feeds.example.net/feed.xml"
) -> list[NormalizedItem]:
    return normalize_items(parse_feed(body, url=url), fetched_at=NOW, base_url=url)


def outlets_of(items: list[NormalizedItem]) -> Counter[str]:
    return Counter(i.outlet for i in items)


# ---------------------------------------------------------------- real fixtures


@pytest.mark.parametrize(
    ("name", "outlet"),
    [
        ("bloomberg.xml", "Bloomberg"),
        ("financialTimes.xml", "Financial Times"),
        ("marketwatch.xml", "MarketWatch"),
        ("fortune.xml", "Fortune"),
        ("dailyfx.xml", "DailyFX"),
        ("economist.xml", "The Economist"),  # RSS titled "Finance & economics": not the outlet
    ],
)
def test_real_publisher_feeds_name_their_outlet(name: str, outlet: str) -> None:
    path = shared_data("feeds", "news_sitemaps_2023-12-01_mangled", name)
    items = normalized(path.read_bytes(), url=f"https://sitemaps.example.org/{name}")
    assert items
    assert outlets_of(items) == Counter({outlet: len(items)})


def test_real_sitemaps_carry_their_declared_language() -> None:
    """Bloomberg's sitemap mixes editions: each item keeps its own news:language."""
    path = shared_data("feeds", "news_sitemaps_2023-12-01_mangled", "bloomberg.xml")
    feed = parse_feed(path.read_bytes())
    items = normalize_items(feed, fetched_at=NOW, base_url="")
    assert [i.language for i in items] == [p.language for p in feed.items]
    assert Counter(i.language for i in items) == Counter({"en": 663, "es": 42, "de": 19, "pt": 10})
    spanish = next(i for i in items if i.title.startswith("OPEP+ acuerda"))
    assert (spanish.language, spanish.outlet) == ("es", "Bloomberg")


def test_real_rss_source_element_names_the_outlet() -> None:
    """rss-parser's heraldsun.rss: items on oreilly.com carrying <source>Another Site</source>."""
    path = shared_data("feeds", "rss-parser_fixtures", "heraldsun.rss")
    items = normalized(path.read_bytes())
    with_source = [i for i in items if "oreilly.com" in i.url]
    assert with_source
    assert {i.outlet for i in with_source} == {"Another Site"}
    assert {i.publisher_domain for i in with_source} == {"oreilly.com"}


def _parsed_or_none(body: bytes, url: str) -> ParsedFeed | None:
    try:
        return parse_feed(body, url=url)
    except BadInputError:
        return None


def test_real_google_alerts_items_take_the_outlet_of_the_article_their_link_wraps() -> None:
    """Google Alerts (feedjira's real fixture) links every item through google.com/url?...&url=
    <article>: the outlet is the article's (mapped name, else its domain), never "unknown
    outlet" and never Google; a title's " - ..." tail is not read as an outlet here."""
    url = "https://www.google.com/alerts/feeds/06390541454578364893/8318018427346711069"
    body = shared_data("feeds", "feedjira_fixtures", "google_alerts_atom.xml").read_bytes()
    items = normalized(body, url)
    outlets = outlets_of(items)
    assert len(items) == 20
    assert UNKNOWN_OUTLET not in outlets and "Google" not in outlets
    assert outlets["Financial Times"] == 1  # ft.com is in the map
    assert outlets["investorplace.com"] == 1 and outlets["vox.com"] == 1  # not in the map
    assert all(" " not in o or o == "Financial Times" for o in outlets)


def test_real_feeds_never_use_a_person_or_an_empty_outlet() -> None:
    """Across every real RSS/Atom fixture: an outlet is never empty, never a dc:creator who is a
    person, never an aggregator."""
    folder = shared_data("feeds", "feedjira_fixtures")
    aggregators = {e.name for e in outlet_map().by_domain.values() if e.aggregator}
    seen = 0
    for path in sorted(folder.iterdir()):
        feed = _parsed_or_none(path.read_bytes(), f"https://fixtures.example.org/{path.name}")
        if feed is None:  # rejected documents are test_real_feeds' business
            continue
        creators = {i.creator for i in feed.items if i.creator}
        for item in normalize_items(feed, fetched_at=NOW, base_url="https://fixtures.example.org/"):
            seen += 1
            assert item.outlet
            assert item.outlet not in aggregators
            assert item.outlet not in creators or outlet_map().by_name.get(item.outlet.lower())
    assert seen > 50


# ---------------------------------------------------------------- the feeds of issue #10

GOOGLE_NEWS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<generator>NFE/5.0</generator>
<title>"site:reuters.com markets" - Google News</title>
<link>https://news.google.com/search?q=site:reuters.com+markets&amp;hl=en-US&amp;gl=US&amp;ceid=US:en</link>
<language>en-US</language>
<item>
  <title>Oil jumps above $100 as Gulf shipping halts - Reuters</title>
  <link>https://news.google.com/rss/articles/CBMiAAA?oc=5</link>
  <guid isPermaLink="false">CBMiAAA</guid>
  <pubDate>Mon, 07 Dec 2026 09:00:00 GMT</pubDate>
  <description>&lt;a href="https://news.google.com/rss/articles/CBMiAAA?oc=5"&gt;Oil jumps&lt;/a&gt;&amp;nbsp;&amp;nbsp;&lt;font color="#6f6f6f"&gt;Reuters&lt;/font&gt;</description>
  <source url="https://www.reuters.com">Reuters</source>
</item>
<item>
  <title>Wall Street closes lower, posts weekly loss - Reuters</title>
  <link>https://news.google.com/rss/articles/CBMiBBB?oc=5</link>
  <guid isPermaLink="false">CBMiBBB</guid>
  <pubDate>Fri, 04 Dec 2026 21:10:00 GMT</pubDate>
  <source url="https://www.reuters.com">Reuters</source>
</item>
<item>
  <title>Treasury yields climb after payrolls miss - The Wall Street Journal</title>
  <link>https://news.google.com/rss/articles/CBMiCCC?oc=5</link>
  <pubDate>Fri, 04 Dec 2026 14:00:00 GMT</pubDate>
  <source url="https://www.wsj.com">The Wall Street Journal</source>
</item>
</channel></rss>
"""

SEEKING_ALPHA = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>AAPL - News and Analysis from Seeking Alpha</title>
<link>https://seekingalpha.com</link>
<item>
  <title>Apple: The Services Flywheel Keeps Turning</title>
  <link>https://seekingalpha.com/article/4700001-apple-services-flywheel</link>
  <guid isPermaLink="false">https://seekingalpha.com/article/4700001</guid>
  <pubDate>Mon, 07 Dec 2026 11:30:00 -0500</pubDate>
  <dc:creator>Jane Analyst</dc:creator>
</item>
<item>
  <title>Apple shares slip as iPhone demand cools in China</title>
  <link>https://seekingalpha.com/news/4400002-apple-shares-slip</link>
  <pubDate>Mon, 07 Dec 2026 10:00:00 -0500</pubDate>
  <dc:creator>SA News</dc:creator>
</item>
</channel></rss>
"""

CNBC = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>International: Top News And Analysis</title>
<link>https://www.cnbc.com/id/100727362/device/rss/rss.html</link>
<language>en-us</language>
<item>
  <title>Stocks drop as oil surges past $100 on Gulf conflict</title>
  <link>https://www.cnbc.com/2026/12/07/stock-market-today.html</link>
  <pubDate>Mon, 07 Dec 2026 08:00:00 GMT</pubDate>
</item>
</channel></rss>
"""

NYT = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>NYT &gt; Business</title>
<link>https://www.nytimes.com/section/business</link>
<language>en-us</language>
<item>
  <title>Meta Planning Sweeping Layoffs</title>
  <link>https://www.nytimes.com/2026/12/07/technology/meta-layoffs.html</link>
  <pubDate>Mon, 07 Dec 2026 07:00:00 +0000</pubDate>
  <dc:creator>Mike Isaac</dc:creator>
</item>
</channel></rss>
"""


def test_google_news_items_take_their_outlet_from_source_not_the_feed() -> None:
    items = normalized(GOOGLE_NEWS, url="https://news.google.com/rss/search?q=site:reuters.com")
    assert [i.outlet for i in items] == ["Reuters", "Reuters", "The Wall Street Journal"]
    assert items[0].title == "Oil jumps above $100 as Gulf shipping halts"  # suffix dropped
    assert items[2].title == "Treasury yields climb after payrolls miss"
    assert {i.publisher_domain for i in items} == {"news.google.com"}  # where the link points
    assert {i.language for i in items} == {"en"}


def test_google_news_without_source_falls_back_to_title_suffix_or_site_query() -> None:
    body = GOOGLE_NEWS.replace(b'<source url="https://www.reuters.com">Reuters</source>', b"")
    items = normalized(body, url="https://news.google.com/rss/search?q=x")
    assert items[0].outlet == "Reuters"  # " - Reuters" title suffix
    body = body.replace(b" - Reuters</title>", b"</title>")
    items = normalized(body, url="https://news.google.com/rss/search?q=x")
    assert items[1].outlet == "Reuters"  # the feed is restricted to site:reuters.com


@pytest.mark.parametrize(
    ("body", "url", "outlet", "not_outlet"),
    [
        (
            SEEKING_ALPHA,
            "https://seekingalpha.com/api/sa/combined/AAPL.xml",
            "Seeking Alpha",
            "AAPL - News and Analysis from Seeking Alpha",
        ),
        (
            CNBC,
            "https://www.cnbc.com/id/100727362/device/rss/rss.html",
            "CNBC",
            "International: Top News And Analysis",
        ),
        (
            NYT,
            "https://rss.nytimes.com/services/xml/rss/nyt/Business.xml",
            "The New York Times",
            "NYT > Business",
        ),
    ],
)
def test_publisher_feeds_name_the_outlet_not_the_channel(
    body: bytes, url: str, outlet: str, not_outlet: str
) -> None:
    items = normalized(body, url=url)
    assert {i.outlet for i in items} == {outlet}
    assert {i.publisher_name for i in items} == {not_outlet}  # the feed's title is kept apart


# ---------------------------------------------------------------- bad input and rules


def test_no_outlet_anywhere_gets_the_domain_and_no_domain_unknown_outlet() -> None:
    assert find_outlet(url="https://blog.smallfund.example/post/1", title="Q3 letter") == (
        "smallfund.example"
    )
    assert find_outlet(url="", title="Q3 letter", feed_title="Some Feed") == UNKNOWN_OUTLET
    assert find_outlet(url="/relative/only", title="x", feed_title="Some Feed") == UNKNOWN_OUTLET


def test_item_with_no_domain_is_stored_as_unknown_outlet() -> None:
    body = b"""<rss version="2.0"><channel><title>Desk Notes</title>
    <item><title>Morning note</title><link>urn:uuid:1234</link></item></channel></rss>"""
    items = normalize_items(parse_feed(body), fetched_at=NOW, base_url="")
    assert [i.outlet for i in items] == [UNKNOWN_OUTLET]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"url": "https://finance.yahoo.com/news/x.html", "title": "Stocks rally"}, UNKNOWN_OUTLET),
        (
            {"url": "https://finance.yahoo.com/news/x.html", "title": "Stocks rally - Reuters"},
            "Reuters",
        ),
        (
            {
                "url": "https://www.msn.com/en-us/money/x",
                "title": "Stocks rally",
                "source_name": "MSN",
                "publisher": "Google News",
            },
            UNKNOWN_OUTLET,
        ),
        (
            {
                "url": "https://finance.yahoo.com/news/x.html",
                "title": "x",
                "source_name": "Barrons",
            },
            "Barron's",
        ),
        (
            {
                "url": "https://www.reuters.com/markets/x",
                "title": "x",
                "source_name": "Yahoo Finance",
            },
            "Reuters",
        ),
    ],
)
def test_an_aggregator_is_never_the_outlet(kwargs: dict[str, str], expected: str) -> None:
    assert find_outlet(**kwargs) == expected


def test_creator_is_the_outlet_only_when_it_is_a_known_outlet() -> None:
    unknown = "https://newsdesk.example.com/a"
    assert find_outlet(url=unknown, creator="Reuters Staff") == "Reuters"
    assert find_outlet(url=unknown, creator="Jane Doe") == "example.com"  # a person: no
    assert find_outlet(url=unknown, publisher="Acme Capital Weekly") == "Acme Capital Weekly"


def test_feed_title_only_for_the_publishers_own_feed() -> None:
    own = find_outlet(
        url="https://www.calculatedriskblog.com/2026/12/x.html",
        title="x",
        feed_title="Calculated Risk > Blog",
        feed_url="https://www.calculatedriskblog.com/feeds/posts/default",
    )
    assert own == "Calculated Risk"
    relayed = find_outlet(
        url="https://www.calculatedriskblog.com/2026/12/x.html",
        title="x",
        feed_title="My Reading List",
        feed_url="https://feeds.example.net/list.xml",
    )
    assert relayed == "calculatedriskblog.com"


def test_the_map_knows_sixty_finance_outlets_and_the_named_ones() -> None:
    table = outlet_map()
    outlets = {e.domain for e in table.by_domain.values() if not e.aggregator}
    assert len(outlets) >= 60
    expected = {
        "reuters.com": "Reuters",
        "cnbc.com": "CNBC",
        "nytimes.com": "The New York Times",
        "seekingalpha.com": "Seeking Alpha",
        "bloomberg.com": "Bloomberg",
        "wsj.com": "The Wall Street Journal",
        "ft.com": "Financial Times",
        "marketwatch.com": "MarketWatch",
        "barrons.com": "Barron's",
        "apnews.com": "Associated Press",
    }
    for domain, name in expected.items():
        assert find_outlet(url=f"https://www.{domain}/x") == name
    for domain in table.by_domain:
        assert domain == domain.lower().strip()


def test_registered_domain() -> None:
    assert registered_domain("https://finance.yahoo.com/x") == "yahoo.com"
    assert registered_domain("https://www.bbc.co.uk/news") == "bbc.co.uk"
    assert registered_domain("feeds.reuters.com") == "reuters.com"
    assert registered_domain("") == ""


# ---------------------------------------------------------------- language


def test_language_tags_and_guess() -> None:
    assert language_tag("en-US") == "en"
    assert language_tag("ES") == "es"
    assert language_tag("eng") == "en"
    assert language_tag("not a tag!") is None
    assert (
        guess_language("Israel reanuda la guerra contra Hamás tras una tregua de una semana")
        == "es"
    )
    assert guess_language("Israel Resumes War Against Hamas After the Week-Long Truce") == "en"
    assert guess_language("Nvidia Q3") is None
    assert item_language(None, "fr-FR", text="Stocks fall on the news of the day") == "fr"


def test_undeclared_spanish_item_is_flagged_spanish() -> None:
    body = """<rss version="2.0"><channel><title>Mercados</title>
    <item><title>El petróleo sube un 4,5% y las bolsas caen por el conflicto en el Golfo</title>
    <link>https://www.bloomberglinea.com/mercados/petroleo</link></item></channel></rss>""".encode()
    (item,) = normalized(body)
    assert item.language == "es"


def test_an_english_headline_with_words_shared_by_other_languages_is_never_foreign() -> None:
    # "as" and "a" are Portuguese function words too: counted whole they made this headline
    # Portuguese, and a non-English item is linked only by cashtag (its XOM link was lost).
    for title in (
        "Exxon Mobil shares jump as crude tops $100 a barrel",
        "Apple stock rises as iPhone sales beat",
        "Oil a barrel higher as OPEC meets",
    ):
        assert guess_language(title) in (None, "en"), title
    assert guess_language("O dólar sobe com a queda das ações") == "pt"
