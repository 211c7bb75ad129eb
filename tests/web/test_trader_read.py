"""The site read as a trader would (#15), on real bars (../shared/data: ^GSPC, SPY, ^TNX,
EURUSD=X) with briefs the pipeline wrote on 2026-01-06.

- A yield's change in basis points on the desk and in the chart legend, by the writer's rule
  (``newsroom.assets.in_basis_points`` / ``bp_change``): "4.06% -5 bp", ``move_unit: "bp"``.
- The chart's level labels overlap neither each other, the legend, nor TradingView's logo; the
  current brief's marker carries no text over the candles (the legend names it).
- Tables and cards in words and at the instrument's decimals; stale closes are not the day's
  movers; the market brief says what it is about; heat-map tiles show whole symbols; the alerts
  page says what a key is and how to get one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tapewire.config import Settings, load_settings
from tapewire.market import queries as market_queries
from tapewire.newsroom import queries as newsroom_queries
from tapewire.store import Store, open_store
from tapewire.web.app import create_app
from tapewire.web.desk import build_desk
from tests.conftest import shared_data
from tests.support.browser import chromium
from tests.support.servers import serve_app
from tests.web.chart_support import real_briefs
from tests.web.test_every_page import ARGS, ARTIFACTS, CHROMIUM

AS_OF = datetime(2026, 1, 6, tzinfo=UTC)  # briefs written on the session of 2026-01-05


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store, list[str]]]:
    shared_data("prices", "yahoo_long_to_2026-02", "^TNX.csv")  # skips without ../shared/data
    tmp = tmp_path_factory.mktemp("yields")
    settings = load_settings(
        data_dir=tmp,
        db={"url": str(tmp / "yields.db")},
        http={"allow_private_urls": True},
        web={"page_cache_size": 0},
    )
    store = open_store(settings.database_url())
    slugs = real_briefs(
        store, settings, dates=(AS_OF,), symbols=("^GSPC", "SPY", "^TNX", "EURUSD=X")
    )
    try:
        yield settings, store, slugs
    finally:
        store.close()


def _tnx_brief(store: Store, slugs: list[str]) -> newsroom_queries.BriefView:
    views = [newsroom_queries.get_brief(store, s) for s in slugs]
    return next(v for v in views if v is not None and list(v.instruments) == ["^TNX"])


def test_the_desk_writes_a_yields_change_in_bp_as_the_writer_does(
    real: tuple[Settings, Store, list[str]],
) -> None:
    settings, store, slugs = real
    desk = build_desk(store, [], now=AS_OF)
    quotes = {q.symbol: q for q in desk.strip}
    tnx, spy = quotes["^TNX"], quotes["SPY"]
    inst = market_queries.instrument(store, "^TNX")
    assert inst is not None
    bars = market_queries.bars(store, inst.id, until=AS_OF)
    assert tnx.last == bars[-1].close
    assert tnx.change_bp is not None
    assert tnx.change_bp == pytest.approx((bars[-1].close - bars[-2].close) * 100.0)
    assert spy.change_bp is None and spy.change_pct is not None  # an ETF moves in %
    # the writer's fact for the same session is the same number (one rule, not a copy)
    facts = _tnx_brief(store, slugs).facts
    assert facts["asset"]["change_bp"] == pytest.approx(round(tnx.change_bp, 1))

    with serve_app(create_app(settings, store=store)) as base:
        home = httpx.get(base + "/").text
        tnx_chart = httpx.get(base + "/api/instruments/%5ETNX/chart").json()
        spy_chart = httpx.get(base + "/api/instruments/SPY/chart").json()
    tnx = next(q for q in build_desk(store, [], now=datetime.now(UTC)).strip if q.symbol == "^TNX")
    assert tnx.change_bp is not None and tnx.change_pct is not None  # the page's "now"
    quote = html.unescape(home.split('data-symbol="^TNX"', 1)[1].split("</a>", 1)[0])
    words = re.sub(r"<[^>]+>", " ", quote)
    assert f"{tnx.last:.2f}%" in words and f"{tnx.change_bp:+.0f} bp" in words, words
    assert f"{tnx.change_pct:+.2f}%" not in words  # not the yield's change in percent of itself
    assert tnx_chart["move_unit"] == "bp" and spy_chart["move_unit"] == "%"


def test_the_levels_table_reads_kinds_in_words_at_the_instruments_decimals(
    real: tuple[Settings, Store, list[str]],
) -> None:
    """The instrument page's levels table: "50-day average", not ``sma50``; an FX pair's levels
    to 4 decimals (1.1852 read 1.19)."""
    settings, store, _ = real
    with serve_app(create_app(settings, store=store)) as base:
        pages = {s: httpx.get(f"{base}/instruments/{s}").text for s in ("EURUSD=X", "^TNX")}
    for symbol, page in pages.items():
        table = page.split('data-testid="levels"', 1)[1].split("</table>", 1)[0]
        kinds = re.findall(r'data-label="kind">([^<]*)<', table)
        prices = re.findall(r'data-label="price">([^<]*)<', table)
        assert kinds and not [k for k in kinds if re.search(r"sma|52|_|^[a-z]", k)], kinds
        decimals = 4 if symbol == "EURUSD=X" else 2
        assert all(re.fullmatch(rf"[\d,]+\.\d{{{decimals}}}", p) for p in prices), prices


OVERLAPS_JS = """box => {
  const labels = JSON.parse(box.getAttribute('data-level-labels') || '[]');
  const legend = box.querySelector('.pxchart-ohlc').getBoundingClientRect();
  const pane = box.getBoundingClientRect();
  const hit = (a, b) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
  const legendBox = [legend.left - pane.left, legend.top - pane.top, legend.width, legend.height];
  const logo = box.querySelector('a[href*="tradingview"]');
  const logoBox = logo ? (r => [r.left - pane.left, r.top - pane.top, r.width, r.height])(logo.getBoundingClientRect()) : null;
  const out = [];
  labels.forEach((a, i) => {
    labels.slice(i + 1).forEach(b => { if (hit(a, b)) out.push(`${a[4]} / ${b[4]}`); });
    if (hit(a, legendBox)) out.push(`${a[4]} / the legend`);
    if (logoBox && hit(a, logoBox)) out.push(`${a[4]} / the logo`);
    if (a[0] + a[2] > pane.width - 60) out.push(`${a[4]} runs into the price axis`);
  });
  return {labels: labels.length, out: out, logo: !!logoBox};
}"""


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
@pytest.mark.parametrize("width", [1280, 390])
def test_the_brief_chart_legend_reads_a_yield_in_bp_and_labels_do_not_collide(
    real: tuple[Settings, Store, list[str]], width: int
) -> None:
    settings, store, slugs = real
    brief = _tnx_brief(store, slugs)
    with serve_app(create_app(settings, store=store)) as base, chromium(CHROMIUM, ARGS) as browser:
        page = browser.new_page(viewport={"width": width, "height": 844})
        page.goto(f"{base}/briefs/{brief.slug}", wait_until="networkidle")
        box = page.locator("[data-testid=price-chart] .pxchart-box")
        page.locator(".pxchart-ohlc:not(:empty)").wait_for(timeout=15000)
        legend = page.locator(".pxchart-ohlc").inner_text()
        close = brief.facts["price"]["close"]
        change = brief.facts["asset"]["change_bp"]
        sign = "+" if change >= 0 else "\u2212"
        found_close = re.search(r" C (\d+\.\d\d)% ", legend)  # the yield in %
        assert found_close and float(found_close[1]) == pytest.approx(close, abs=0.006), legend
        assert f"% {sign}{abs(change):.0f} bp" in legend, legend  # its change in bp
        assert "this brief" in legend
        box.and_(page.locator("[data-level-labels]")).wait_for(timeout=5000)
        page.wait_for_timeout(300)
        found: dict[str, Any] = box.evaluate(OVERLAPS_JS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        box.screenshot(path=str(ARTIFACTS / f"chart-tnx-{width}.png"))
        assert found["labels"] >= 2 and found["logo"], found
        assert not found["out"], f"at {width}px: {found['out']}"
        # the legend fits on its box: at most three lines at a phone's width
        height = page.locator(".pxchart-ohlc").bounding_box()
        assert height is not None and height["height"] <= 3 * 12 * 1.35 + 4


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("symbol", ["^TNX", "EURUSD=X", "SPY", "^GSPC"])
def test_instrument_chart_labels_do_not_collide(
    real: tuple[Settings, Store, list[str]], symbol: str, width: int
) -> None:
    """The instrument page's chart (latest levels, every brief a dot) on four real series."""
    settings, store, _ = real
    with serve_app(create_app(settings, store=store)) as base, chromium(CHROMIUM, ARGS) as browser:
        page = browser.new_page(viewport={"width": width, "height": 844})
        page.goto(f"{base}/instruments/{symbol}", wait_until="networkidle")
        box = page.locator("[data-testid=price-chart] .pxchart-box")
        box.and_(page.locator("[data-level-labels]")).wait_for(timeout=15000)
        page.wait_for_timeout(300)
        found: dict[str, Any] = box.evaluate(OVERLAPS_JS)
        legend = page.locator(".pxchart-ohlc").bounding_box()
        unit = " bp" if symbol == "^TNX" else "%"
        assert unit in page.locator(".pxchart-ohlc").inner_text()
    assert found["labels"] >= 1 and found["logo"], found
    assert not found["out"], f"{symbol} at {width}px: {found['out']}"
    assert legend is not None and legend["height"] <= 3 * 12 * 1.35 + 4


def test_why_pulse_reads_rounded_numbers_and_words(
    real: tuple[Settings, Store, list[str]],
) -> None:
    """The brief's "Why Pulse" card: "ATR 1.22% of price", not "1.2207910667596074%"; the
    components in words ("Relative strength", not ``relative_strength``)."""
    settings, store, slugs = real
    with serve_app(create_app(settings, store=store)) as base:
        pages = [httpx.get(f"{base}/briefs/{s}").text for s in slugs if not s.startswith("market")]
    for page in pages:
        card = page.split("Why Pulse", 1)[1].split("</section>", 1)[0]
        words = re.sub(r"<[^>]+>", " ", card)
        assert not re.findall(r"\d+\.\d{3,}", words), re.findall(r"\d+\.\d{3,}", words)
        assert "_" not in words and "ATR " in words, words


def test_stale_closes_are_not_the_days_movers(real: tuple[Settings, Store, list[str]]) -> None:
    """Read today, the real series (they end in February 2026) are on the strip labelled
    "last close ..." but are not "biggest movers"; as of their own dates they are."""
    _, store, _ = real
    today = build_desk(store, [], now=datetime.now(UTC))
    assert today.strip and all(q.stale for q in today.strip)
    assert today.movers == []
    then = build_desk(store, [], now=AS_OF)
    assert {q.symbol for q in then.movers} == {"^GSPC", "SPY", "^TNX", "EURUSD=X"}


def test_the_market_brief_names_what_it_is_about(real: tuple[Settings, Store, list[str]]) -> None:
    """A market brief has no instrument: no bare "About" line, and its alert command's scope is
    its tag (was ``--scope instrument:SYMBOL``, a placeholder a reader would paste)."""
    settings, store, slugs = real
    market = next(s for s in slugs if s.startswith("market-"))
    with serve_app(create_app(settings, store=store)) as base:
        page = httpx.get(f"{base}/briefs/{market}").text
    words = re.sub(r"<[^>]+>", "", page)
    assert "About the whole market" in words and not re.search(r"About\s*\n", words)
    assert "--scope tag:market" in words and "SYMBOL" not in words


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
@pytest.mark.parametrize("width", [1280, 390])
def test_heat_map_tiles_show_whole_symbols(
    real: tuple[Settings, Store, list[str]], width: int
) -> None:
    """ "EURUSD=X" read "EURUSD…" on its Pulse tile at 1280 px."""
    settings, store, _ = real
    with serve_app(create_app(settings, store=store)) as base, chromium(CHROMIUM, ARGS) as browser:
        page = browser.new_page(viewport={"width": width, "height": 844})
        page.goto(base + "/", wait_until="networkidle")
        cut = page.evaluate(
            "[...document.querySelectorAll('.tile .sym')]"
            ".filter(s => s.scrollWidth > s.clientWidth).map(s => s.textContent)"
        )
        symbols = page.locator(".tile .sym").all_inner_texts()
    assert "EURUSD=X" in symbols and not cut, cut


def test_the_alerts_page_says_how_to_get_a_key(real: tuple[Settings, Store, list[str]]) -> None:
    """It was a lone "API key" box: a reader could not tell what a key is or where to get one."""
    settings, store, _ = real
    with serve_app(create_app(settings, store=store)) as base:
        page = httpx.get(f"{base}/alerts").text
    words = re.sub(r"<[^>]+>", "", page)
    assert "tapewire keys create --scope alerts:write" in words and "tapewire alerts add" in words
