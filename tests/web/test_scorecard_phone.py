"""/scorecard with graded calls in Debian Chromium at 1280 and 390 px (#15): its tables become
stacked cards at phone width, as the site's other tables do: no table scrolls inside the page
(only the calibration chart, which stays legible at 480 px, may), nothing scrolls the page
sideways, and axe-core finds no serious or critical violation (a scrolling table is
``scrollable-region-focusable``).

The graded calls are made as a user would: `tapewire prices load` of real series from
../shared/data/prices, then `tapewire backtest` over them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tapewire.config import load_settings
from tapewire.store import open_store
from tapewire.web.app import create_app
from tests.conftest import shared_data
from tests.scorecard.test_cli import _cut
from tests.support.browser import chromium
from tests.support.cli import tapewire
from tests.support.servers import serve_app
from tests.web.test_every_page import ARGS, ARTIFACTS, AXE_VERSION, CHROMIUM, axe_source

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)"
)

SERIES = (  # symbol, file under prices/, asset class, benchmark
    ("^GSPC", "merged_index_series/^GSPC.csv", "Indices", None),
    ("SPY", "yahoo_long_to_2026-02/SPY.csv", "ETFs", "^GSPC"),
    ("^TNX", "yahoo_long_to_2026-02/^TNX.csv", "Rates", None),
    ("GC=F", "yahoo_long_to_2026-02/GC=F.csv", "Commodities", None),
)

# Elements that scroll sideways inside the page (overflow-x auto/scroll and wider than their box).
INNER_SCROLL_JS = """() => [...document.querySelectorAll("main *")].filter((el) => {
  const ox = getComputedStyle(el).overflowX;
  return (ox === "auto" || ox === "scroll") && el.scrollWidth > el.clientWidth + 1;
}).map((el) => ({tag: el.tagName.toLowerCase(), cls: String(el.className),
                 calibration: !!el.querySelector("svg.calibration"), tables: el.querySelectorAll("table").length}))"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("scorecard-phone")
    db = str(tmp / "bt.db")
    for symbol, rel, cls, bench in SERIES:
        csv = tmp / f"{symbol}.csv"
        csv.write_text(_cut(shared_data("prices", *rel.split("/")), "2017-01-01", "2020-12-31"))
        args = ["prices", "load", symbol, str(csv), "--db", db, "--asset-class", cls]
        loaded = tapewire(tmp, *args, *(["--benchmark", bench] if bench else []))
        assert loaded.returncode == 0, loaded.stderr
    symbols = [s for s, *_ in SERIES]
    made = tapewire(tmp, "backtest", *symbols, "--from", "2019-01-01", "--to", "2019-12-31",
                    "--db", db, "--format", "json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["scorecard"]["n_calls"] > 0
    settings = load_settings(data_dir=tmp / "data", db={"url": db}, web={"page_cache_size": 0})
    store = open_store(settings.database_url())
    try:
        with serve_app(create_app(settings, store=store)) as url:
            yield url
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(CHROMIUM, ARGS) as instance:
        yield instance


@pytest.mark.parametrize("width", [1280, 390])
def test_graded_scorecard_stacks_its_tables_at_phone_width(
    base: str, browser: Any, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 844}, is_mobile=width < 600)
    context.add_init_script(script=axe_source())
    page = context.new_page()
    response = page.goto(base + "/scorecard?kind=backtest", wait_until="networkidle")
    assert response is not None and response.status == 200
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"scorecard-graded-{width}.png"), full_page=True)
    assert page.get_by_test_id("scorecard-verdict").is_visible()
    for table in ("scorecard-headline", "scorecard-levels", "scorecard-instruments", "worst-calls"):
        assert page.get_by_test_id(table).locator("td").count() > 0, table

    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"/scorecard at {width}px is {scroll}px wide"
    inner = page.evaluate(INNER_SCROLL_JS)
    tables = [el for el in inner if el["tables"] or not el["calibration"]]
    assert not tables, f"/scorecard at {width}px: regions scrolling sideways: {tables}"
    # every table cell is inside the viewport (a table wider than the page would be cut)
    right = page.evaluate(
        "Math.max(...[...document.querySelectorAll('main td')].map(td => td.getBoundingClientRect().right))"
    )
    assert right <= width, f"/scorecard at {width}px: a table cell ends at {right:.0f}px"
    if width < 600:  # cards: one row's cells stacked, each cell saying what it is
        headline = page.get_by_test_id("scorecard-headline")
        cells = headline.locator("tr").nth(1).locator("td")
        boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
        assert all(b is not None for b in boxes)
        tops = [b["y"] for b in boxes if b is not None]
        assert tops == sorted(tops) and tops[-1] - tops[0] > 5 * 16, "headline row not stacked"
        label = page.evaluate(
            "getComputedStyle(document.querySelector('[data-testid=scorecard-headline] "
            "td[data-label]'), '::before').content"
        )
        assert "Pulse hit rate" in label

    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    print(f"\naxe {AXE_VERSION} graded /scorecard {width}px: {len(result['violations'])} "
          f"violations, {len(bad)} serious/critical")  # fmt: skip
    for v in result["violations"]:
        print(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
    assert not bad, f"/scorecard at {width}px: axe serious/critical: {[v['id'] for v in bad]}"
    context.close()
