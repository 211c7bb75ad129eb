"""The demo site in a real browser: Debian Chromium driven by Playwright over real HTTP.

Screenshots (desktop and phone width) are saved under test-output/screenshots/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tapewire.clock import FixedClock
from tapewire.config import Settings
from tapewire.demo.run import run_demo
from tapewire.store import open_store
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF, ROOT
from tests.support.browser import chromium
from tests.support.pipeline import analyse_and_write
from tests.support.servers import serve_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "test-output" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)"
)


@pytest.fixture
def site(settings: Settings) -> Iterator[tuple[str, Settings]]:
    fast = settings.model_copy(
        update={"web": settings.web.model_copy(update={"stream_poll_s": 0.2})}
    )
    run_demo(fast, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(fast.database_url())
    try:
        with serve_app(create_app(fast, store=store)) as base:
            yield base, fast
    finally:
        store.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium(CHROMIUM, ARGS) as instance:
        yield instance


def test_home_brief_and_tag_pages(site: tuple[str, Settings], browser: Any) -> None:
    base, _ = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "/")
    assert page.get_by_test_id("simulated-label").is_visible()
    rows = page.locator("#briefs li.row")
    assert rows.count() == 6  # the five instruments' briefs and the day's market brief
    page.screenshot(path=str(SHOTS / "home-desktop.png"), full_page=True)

    page.locator("#briefs li.row a", has_text="Acme Robotics").first.click()
    page.wait_for_url("**/briefs/acme-*")
    assert page.get_by_test_id("simulated-label").is_visible()
    direction = page.get_by_test_id("direction").inner_text()
    assert direction in {"Bullish", "Neutral", "Bearish"}
    assert page.get_by_test_id("pulse").inner_text().startswith("Pulse ")
    watch = page.locator("section", has=page.locator("h3", has_text="Watch")).locator("li")
    assert watch.count() >= 4 and any("Support" in t for t in watch.all_inner_texts())
    sources = page.locator("ul.sources li")
    assert sources.count() >= 1 and "·" in sources.first.inner_text()
    related = page.locator("section", has=page.locator("h3", has_text="Related Articles")).locator(
        "article"
    )
    assert related.count() >= 1
    chart = page.get_by_test_id("price-chart")  # the static SVG, replaced by the live chart
    chart.locator("canvas").first.wait_for(timeout=10000)
    assert chart.locator("svg polyline").count() == 0
    assert "claims grounded" in page.get_by_test_id("verification").inner_text()
    page.screenshot(path=str(SHOTS / "brief-desktop.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(page.url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the brief page scrolls sideways on a phone ({width}px)"
    phone.screenshot(path=str(SHOTS / "brief-phone.png"), full_page=True)
    phone.close()

    page.locator("a.badge", has_text="#acme").first.click()
    page.wait_for_url("**/tags/acme")
    assert page.locator("h1").inner_text() == "#acme"
    assert page.locator("article.card").count() >= 1
    page.close()


def test_home_shows_a_new_brief_without_reload(site: tuple[str, Settings], browser: Any) -> None:
    base, settings = site
    page = browser.new_page()
    page.goto(base + "/")
    assert page.locator("#briefs li.row").count() == 6  # five instruments and the market brief
    page.wait_for_timeout(500)  # the EventSource connects
    later = datetime(2026, 11, 21, tzinfo=UTC)  # Saturday: crypto has a new bar, so new briefs
    analyse_and_write(settings, later)
    page.locator("#briefs li.row.new").first.wait_for(timeout=15000)
    assert page.locator("#briefs li.row").count() > 6
    page.close()
