"""Entity links: each case of issue #10 (names, brands, cashtags, exchange tickers, possessives,
plurals, indices and the broad market, disambiguation, lists, non-English items, candidates)."""

from __future__ import annotations

import csv

import pytest

from tapewire.enrich.entities import (
    STORE_THRESHOLD,
    alias_table,
    compile_aliases,
    find_links,
    link_item,
)
from tests.conftest import shared_data

SYMBOLS = [
    "COP", "EBAY", "BX", "WMT", "CMG", "NFLX",
    "AAPL", "META", "GOOGL", "JPM", "BRK-B", "NVDA", "TGT", "V", "BALL", "DOW", "TSLA", "AMD",
    "BA", "SBUX", "GE", "MSFT", "DAL", "AMZN", "F", "NDAQ",
    "^GSPC", "^DJI", "^IXIC", "^RUT", "QQQ", "IWM", "CL=F", "GC=F", "DX-Y.NYB", "EURUSD=X",
    "ACME",
]  # fmt: skip
LINKER = compile_aliases(
    (n, s, ("Acme Robotics",) if s == "ACME" else ()) for n, s in enumerate(SYMBOLS)
)


def kept(title: str, summary: str = "", language: str | None = None) -> set[str]:
    """Symbols the store would keep for this item."""
    return {
        SYMBOLS[link.instrument_id]
        for link in find_links(title, summary, LINKER, language)
        if link.relevance >= STORE_THRESHOLD
    }


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # the cases
        ("Meta planning sweeping layoffs", {"META"}),
        ("Google joins rivals in AI chip push", {"GOOGL"}),
        ("Wall Street closes lower, posts weekly loss", {"^GSPC"}),
        ("SoftBank-backed PayPay shares jump in Nasdaq debut", set()),
        ("10 tech stocks to own for the next decade", set()),
        # names, short names and brands
        ("Facebook faces new privacy probe", {"META"}),
        ("Alphabet beats on cloud revenue", {"GOOGL"}),
        ("JPMorgan raises its forecast for rates", {"JPM"}),
        ("JPM and Goldman lead bank rally", {"JPM"}),
        ("Berkshire adds to its energy bets", {"BRK-B"}),
        ("Ebay nears sale of classified ads unit", {"EBAY"}),
        ("Acme Robotics beats estimates", {"ACME"}),  # an instrument's own alias
        # cashtags and exchange tickers
        ("$NVDA rallies into earnings", {"NVDA"}),
        ("Chipmaker (NASDAQ: AMD) sets a date for its results", {"AMD"}),
        ("Shares of NYSE:JPM edge up", {"JPM"}),
        # possessives and plurals
        ("Apple's iPhone sales slow in China", {"AAPL"}),
        ("Tesla\u2019s Musk says demand is fine", {"TSLA"}),
        ("Fewer Teslas on the road in Norway", {"TSLA"}),
        # indices and the broad market
        ("S&P 500 hits a record as the Dow slips", {"^GSPC", "^DJI"}),
        ("Small caps rally as the Russell 2000 jumps", {"^RUT"}),
        ("Stocks fall as yields climb", {"^GSPC"}),
        ("US stocks: pandemic-era debt binge boosts corporate profits", {"^GSPC"}),
        ("Nasdaq closes at a record high on chip rally", {"^IXIC"}),
        ("Dow, Nasdaq 100 look for further gains", {"^DJI", "QQQ"}),
        # disambiguation
        ("Apple pie prices soar ahead of Thanksgiving", set()),
        ("The Fed may target a lower rate next year", set()),
        ("Fed to Target Inflation Below 2%", set()),
        ("Target Corp cuts its sales outlook", {"TGT"}),
        ("Students wait months for a Visa appointment", set()),
        ("Visa shares rise after earnings", {"V"}),
        ("Dow Inc. stock outperforms market on strong trading day", {"DOW"}),
        ("Nasdaq-listed chipmaker raises $1 billion", set()),
        ("Startup files to list on the Nasdaq", set()),
        ("Tech stocks slide as yields rise", set()),
        ("Chinese stocks rally on stimulus hopes", set()),
        # a firm's view of a market is not news about the firm (a real Bloomberg title of
        # 2023-11-30 led JPM's brief); its own guidance and its business still are
        ("JPMorgan\u2019s S&P 500 Outlook for 2024 Is Grimmest on Wall Street", {"^GSPC"}),
        ("Goldman's oil forecast rises to $90", {"CL=F"}),
        ("Nvidia's forecast lifts chip stocks", {"NVDA"}),
        ("Apple's iPhone forecast disappoints investors", {"AAPL"}),
        ("JPMorgan's profit jumps on trading", {"JPM"}),
        # a real MarketWatch title of 2023-11-30 that led JPM's brief: JPMorgan is the source
        (
            "U.S. stocks set to fall around 8% next year, says JPMorgan. Here's where to hide.",
            {"^GSPC"},
        ),
        ("Thai stocks tumble as SET Index drops", set()),  # a real 2023-12-01 Bloomberg title
        ("Taiwan Stocks Poised for Record Foreign Inflows", set()),
        ("Hong Kong to End Stock Market Closures During Typhoons", set()),
        ("Alibaba Gets Rare Wall Street Downgrade as Rival Gains Traction", set()),
        ("Stocks That Hit 52-Week Highs On Friday", set()),
        ("These five S&P 500 stocks have the most buy ratings", set()),
        ("Disney cuts ad spending: Wall Street Journal", set()),
        ("UnitedHealth outlook disappoints Wall Street", set()),
        ("Delta variant spreads in Europe", set()),
        ("Macy's to be replaced on S&P 500 by Carrier Global", set()),
        ("Look to small-cap stocks for returns as markets recover: JPMorgan", {"^RUT"}),
        ("Oil prices to climb further, says Goldman", {"CL=F"}),
        ("Claire's names Chris Cramer CFO/COO", set()),
        ("Imperial Oil Ltd. stock falls Thursday", set()),
        ("Airbnb soars in Wall Street debut", set()),
        ("COP must lift the omerta on fossil fuel subsidies", set()),
        ("Deal underscores Wall Street's rising interest in miners", set()),
        ("Wall Street's worst day since March as stocks slide", {"^GSPC"}),
        ("These S&P 500 stocks beat the market since 2009's bottom", set()),
        ("Dakota Access oil pipeline can keep running, court rules", set()),
        ("Harrison Ford to star in new film", set()),
        ("Wildfires rage in the Amazon rainforest", set()),
        ("Parched Rivers, Withered Crops Show Dire Impact of Amazon Drought", set()),  # Bloomberg
        # assets need a price or market cue
        ("Oil slips as traders eye OPEC meeting", {"CL=F"}),
        ("Oil and gas stocks will stay beaten down", set()),
        ("Arctic oil spill wipes value off miner", set()),
        ("Dollar climbs to four-month peak", {"DX-Y.NYB"}),
        ("GDP Revised Up as Gold Remains Unfazed", {"GC=F"}),
        ("Euro Area Inflation Falls More Than Expected", set()),
        ("Chinese builder defaults on dollar-bond payment", set()),
        ("A vaccine gold rush for investors", set()),
        # lists: a company named among many is not what the item is about
        ("Cramer reacts to AMD, Starbucks, Boeing, GE and Alphabet earnings", set()),
        ("Amazon and Microsoft lead cloud spending", {"AMZN", "MSFT"}),
    ],
)
def test_links(title: str, expected: set[str]) -> None:
    assert kept(title) == expected


def test_each_link_carries_kind_field_and_evidence() -> None:
    found = link_item(
        "$NVDA and Apple's suppliers",
        "Shares of (NYSE: JPM) rose while the S&P 500 fell.",
        LINKER,
    )
    got = {SYMBOLS[x.instrument_id]: (x.kind, x.field, x.evidence) for x in found.links}
    assert got["NVDA"] == ("cashtag", "title", "$NVDA")
    assert got["AAPL"] == ("name", "title", "Apple's")
    assert got["JPM"] == ("ticker", "summary", "NYSE: JPM")
    assert got["^GSPC"] == ("market", "summary", "the S&P 500")
    assert all(0.0 < x.relevance <= 1.0 for x in found.links)


def test_title_beats_summary_and_lists_fall_below_the_threshold() -> None:
    title = {x.instrument_id: x.relevance for x in find_links("Apple rallies", "", LINKER)}
    summary = {
        x.instrument_id: x.relevance for x in find_links("Tech rallies", "Apple led", LINKER)
    }
    listed = {
        SYMBOLS[x.instrument_id]: x.relevance
        for x in find_links("Top 10 stocks to buy: Apple, Tesla and Meta", "", LINKER)
    }
    aapl = SYMBOLS.index("AAPL")
    assert title[aapl] > summary[aapl] >= STORE_THRESHOLD
    assert listed and all(r < STORE_THRESHOLD for r in listed.values())


def test_a_service_piece_keeps_its_link_but_ranks_below_the_company_news() -> None:
    """A real MarketWatch title of 2023-11-30 led Amazon's brief of 12-02 over its news."""
    amzn = SYMBOLS.index("AMZN")

    def relevance(title: str) -> float:
        return next(x.relevance for x in find_links(title, "", LINKER) if x.instrument_id == amzn)

    service = relevance(
        "Here\u2019s everything coming to Amazon\u2019s Prime Video and Freevee in December 2023"
    )
    news = relevance("NASCAR to stream some races exclusively on Amazon\u2019s Prime Video")
    assert STORE_THRESHOLD <= service < news
    assert relevance("How to watch the NFL on Amazon") < relevance("Amazon shares fall")
    assert relevance("Amazon shares fall") == relevance("Amazon shares fall!")  # news: unchanged


def test_a_weak_name_counts_when_the_item_names_the_company_elsewhere() -> None:
    assert kept("Target, CVS to require masks", "Target Corp said on Thursday...") == {"TGT"}
    assert kept("Target, CVS to require masks") == set()


def test_non_english_items_link_only_by_cashtag_and_exchange_ticker() -> None:
    assert kept("Apple sube tras resultados de $NVDA", language="es") == {"NVDA"}
    assert kept("Apple sube tras resultados (NASDAQ: AMD)", language="es") == {"AMD"}
    assert kept("Apple rallies", language="en") == {"AAPL"}
    assert kept("Apple rallies", language="en-US") == {"AAPL"}


def test_unknown_tickers_become_candidates_and_never_links() -> None:
    found = link_item("$ZZZQ soars; (NYSE: QQQX) too", "$NVDA and $ZZZQ again", LINKER)
    assert found.candidates == ["ZZZQ", "QQQX"]
    assert {SYMBOLS[x.instrument_id] for x in found.links} == {"NVDA"}
    assert link_item("$AAPL", "", compile_aliases([])).candidates == ["AAPL"]  # not stored


def test_html_entities_and_mangled_characters() -> None:
    assert kept("France rating looks shaky after a year of S&amp;P negative outlook") == set()
    assert kept("R\ufffdos y cultivos en Amazon\ufffda") == set()


def test_alias_table_is_derived_from_the_constituents() -> None:
    table = alias_table()
    assert {a.text for a in table["AAPL"]} >= {"Apple", "Apple Inc."}
    assert {"Google", "Alphabet"} <= {a.text for a in table["GOOGL"]}
    assert "GOOG" not in table  # one name per company: the class A line
    path = shared_data("reference", "sp500_constituents.csv")
    with path.open(encoding="utf-8") as handle:
        symbols = {row["Symbol"].replace(".", "-") for row in csv.DictReader(handle)}
    companies = {s for s, rows in table.items() if any(a.kind == "name" for a in rows)}
    assert len(companies) >= 495 and companies <= symbols


def test_real_headlines_find_their_companies() -> None:
    path = shared_data("news", "news_sitemap_items_2023-12-01.csv")
    symbols = sorted(alias_table())
    linker = compile_aliases((k, s, ()) for k, s in enumerate(symbols))
    found: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found[row["title"]] = {
                symbols[x.instrument_id]
                for x in find_links(row["title"], "", linker)
                if x.relevance >= STORE_THRESHOLD
            }
    assert "TSLA" in found["Tesla reveals Cybertruck pricing as it begins deliveries"]
    assert "ABBV" in found["Drugmaker AbbVie to buy ImmunoGen in $10.1bn deal"]


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        # the source of a view stays the source when the summary introduces the speaker
        (
            "The recovery might be 'more like a square-root sign': Blackstone",
            "Byron Wien, vice chairman at Blackstone, weighs in on the economic recovery.",
            set(),
        ),
        # the speaker's employer ("<role> at <firm>") is not the subject...
        ("Stocks look cheap, says strategist", "A strategist at Blackstone said so.", set()),
        # ...but the firm doing something is
        ("Blackstone buys a warehouse portfolio", "", {"BX"}),
        # companies given as examples are not what the item is about
        (
            "How to get a refund if your delivery from Amazon, Walmart or other sellers is stolen",
            "",
            set(),
        ),
        ("Stocks of 'good corporate citizens' such as Chipotle, Netflix are thriving", "", set()),
        ("Walmart and Amazon cut prices", "", {"WMT", "AMZN"}),
        # a single summary mention still counts (a context-only rule was tried and dropped: it
        # cost "breaks down the chart action in Intel and Caterpillar" on the dev rows)
        ("Coffee chains raise prices", "Prices rose after Starbucks shares fell.", {"SBUX"}),
        # bare "crude" needs a price or market cue other than itself, like "oil"
        ("Everything Cramer said, including coiled spring stocks, crude consolidation", "", set()),
        ("Crude slides as OPEC+ talks stall", "", {"CL=F"}),
        ("Crude prices jump", "", {"CL=F"}),
    ],
)
def test_context_mentions_are_not_the_subject(title: str, summary: str, expected: set[str]) -> None:
    assert kept(title, summary) == expected
