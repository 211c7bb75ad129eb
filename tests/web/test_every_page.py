"""Every page type in Debian Chromium at 1280 and 390 px (#15): nothing scrolls sideways, no
visible text under 12 px, axe-core finds no serious or critical violation, and the pages that have
their own promises keep them (the desk's rows above the fold, the API docs offline, the brief page's
weight). Screenshots go to tests/artifacts/ (git-ignored); axe results are printed.

axe-core comes from the npm registry (``npm pack``) into the git-ignored cache
tests/artifacts/.axe/, once per machine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tapewire.alerts.keys import create_key
from tapewire.clock import FixedClock
from tapewire.config import Settings, load_settings
from tapewire.demo.grow import grow_briefs
from tapewire.demo.run import run_demo
from tapewire.store import Store, open_store
from tapewire.web.app import create_app
from tests.conftest import DEMO_AS_OF, ROOT
from tests.support.browser import chromium
from tests.support.servers import serve_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE_VERSION = "4.10.2"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
BRIEFS = 40  # the demo's briefs grown to this many: enough for a full desk
MIN_TEXT_PX = 12.0  # every visible text node, the charts' SVG labels included: no exemption

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)"
)


def axe_source() -> str:
    """axe.min.js from the npm registry, cached under tests/artifacts/.axe/ (git-ignored)."""
    cache = ARTIFACTS / ".axe" / AXE_VERSION
    script = cache / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm not installed: axe-core cannot be fetched")
        cache.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(cache), "--json"],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        tarball = cache / json.loads(out.stdout)[0]["filename"]
        with tarfile.open(tarball) as tar:
            member = tar.extractfile("package/axe.min.js")
            assert member is not None
            script.write_bytes(member.read())
        tarball.unlink()
    return script.read_text()


@dataclass
class Site:
    base: str
    settings: Settings
    store: Store
    key: str = ""


def _key_with_a_rule(base: str, store: Store) -> str:
    """An API key with one webhook rule, made as a user would (the key, then the API)."""
    import httpx

    with store.write() as s:
        _, key = create_key(s, name="desk test", scopes=["alerts:write"], now=datetime.now(UTC))
    rule = {"trigger": "brief", "channel": "webhook", "target": "http://127.0.0.1:9/hook",
            "scope": "instrument:ACME", "name": "ACME briefs to my webhook"}  # fmt: skip
    made = httpx.post(
        base + "/api/alerts/rules", json=rule, headers={"Authorization": f"Bearer {key}"}
    )
    assert made.status_code == 201, made.text
    return key


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("every-page")
    settings = load_settings(
        data_dir=tmp / "data",
        db={"url": str(tmp / "tapewire.db")},
        http={"allow_private_urls": True, "retries": 1, "timeout_s": 5.0, "per_host_delay_s": 0},
        web={"page_cache_size": 0},
        alerts={"allow_private_targets": True},
    )
    run_demo(settings, as_of=DEMO_AS_OF, clock=FixedClock(DEMO_AS_OF))
    store = open_store(settings.database_url())
    grow_briefs(store, BRIEFS)
    try:
        with serve_app(create_app(settings, store=store)) as base:
            yield Site(base, settings, store, _key_with_a_rule(base, store))
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(CHROMIUM, ARGS) as instance:
        yield instance


def _paths(site: Site) -> dict[str, tuple[str, int]]:
    """Every page type: name -> (path, expected status)."""
    import httpx

    briefs = httpx.get(site.base + "/api/briefs?limit=50").json()["briefs"]
    brief = next(b for b in briefs if b["primary_tag"] != "market")
    home = httpx.get(site.base + "/").text
    story = home.split('href="/stories/', 1)[1].split('"', 1)[0]
    return {
        "home": ("/", 200),
        "search": ("/?q=acme", 200),
        "filtered": ("/?direction=Bullish&category=Stocks", 200),
        "brief": (brief["url"], 200),
        "instrument": (f"/instruments/{brief['instruments'][0]}", 200),
        "tag": (f"/tags/{brief['primary_tag']}", 200),
        "market": ("/market", 200),
        "story": (f"/stories/{story}", 200),
        "sources": ("/sources", 200),
        "scorecard": ("/scorecard", 200),
        "alerts": ("/alerts", 200),
        "alerts-key": ("/alerts", 200),  # then the form is sent with a key: rules, deliveries
        "not-found": ("/briefs/no-such-brief", 404),
        "api-docs": ("/api/docs", 200),
    }


PAGES = (
    "home",
    "search",
    "filtered",
    "brief",
    "instrument",
    "tag",
    "market",
    "story",
    "sources",
    "scorecard",
    "alerts",
    "alerts-key",
    "not-found",
    "api-docs",
)

SMALL_TEXT_JS = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest("script, style, noscript, title")) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    let px = parseFloat(style.fontSize);
    if (el instanceof SVGElement && el.ownerSVGElement) {
      const m = el.getScreenCTM();
      px = px * (m ? Math.hypot(m.a, m.b) : 1);
    }
    if (px < 11.95) small.push(`${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className}: `
                               + `${px.toFixed(1)}px "${node.textContent.trim().slice(0, 40)}"`);
  }
  return small;
}"""

CLS_INIT = """(() => {
  window.__cls = 0;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({type: "layout-shift", buffered: true});
  } catch (e) { window.__cls = -1; }
})();"""


@pytest.fixture(scope="module")
def paths(site: Site) -> dict[str, tuple[str, int]]:
    return _paths(site)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", PAGES)
def test_every_page_fits_reads_and_passes_axe(
    site: Site, browser: Any, paths: dict[str, tuple[str, int]], name: str, width: str
) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, is_mobile=width == "phone")
    context.add_init_script(script=axe_source())
    context.add_init_script(script=CLS_INIT)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )
    path, status = paths[name]
    response = page.goto(site.base + path, wait_until="networkidle")
    if name == "alerts-key":
        page.fill("input[name=key]", site.key)
        with page.expect_navigation():
            page.click("form button[type=submit]")
        response = page.wait_for_load_state("networkidle") or response
        assert page.get_by_test_id("rules").locator("td", has_text="ACME").count() >= 1
    assert response is not None and response.status == status, (
        f"{path}: {response and response.status}"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)

    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= w, f"{name} at {w}px scrolls sideways: the document is {scroll}px wide"
    small = page.evaluate(SMALL_TEXT_JS)
    assert not small, f"{name} at {w}px: text under {MIN_TEXT_PX:.0f}px: {small[:8]}"
    assert not blocked, f"{name}: the site's CSP blocked: {blocked}"

    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    print(f"\naxe {AXE_VERSION} {name} {w}px: {len(result['violations'])} violations, "
          f"{len(bad)} serious/critical")  # fmt: skip
    for v in result["violations"]:
        targets = [n["target"] for n in v["nodes"][:3]]
        print(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {targets})")
    assert not bad, f"{name} at {w}px: axe serious/critical: {[v['id'] for v in bad]}"
    cls = page.evaluate("window.__cls")
    print(f"  layout shift (CLS) {cls:.3f}")
    assert cls < 0.1, f"{name}: cumulative layout shift {cls:.3f}"
    context.close()


def test_the_desk_shows_ten_briefs_above_the_fold(site: Site, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(site.base + "/")
    rows = page.locator("#briefs li.row")
    above = [b for b in (rows.nth(i).bounding_box() for i in range(rows.count())) if b]
    above = [b for b in above if b["y"] + b["height"] <= 800]
    print(f"\n{len(above)} of {rows.count()} brief rows above the fold at 1280x800")
    assert len(above) >= 10, f"only {len(above)} briefs above the fold at 1280x800"
    assert page.get_by_test_id("market-brief").is_visible()
    strip = page.get_by_test_id("strip").locator("a.quote")
    assert strip.count() == 5  # the demo's five instruments
    assert strip.first.locator("svg.spark polyline").count() == 1
    assert page.get_by_test_id("heatmap").locator("a.tile").count() == 5
    page.close()


def test_api_docs_render_offline_under_the_sites_csp(site: Site, browser: Any) -> None:
    import httpx

    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((site.base, "data:")) else None,
    )
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if m.type == "error" else None)
    page.goto(site.base + "/api/docs")
    operations = page.locator("[data-section-id^='operation/']")
    operations.first.wait_for(timeout=20000)
    openapi = httpx.get(site.base + "/api/openapi.json").json()
    expected = sum(len(methods) for methods in openapi["paths"].values())
    assert operations.count() == expected  # every operation of the schema is on the page
    assert page.locator("h2", has_text="Briefs, newest first").first.is_visible()
    assert not blocked, f"errors on the API docs page: {blocked}"
    assert not outside, f"the API docs fetched from outside the site: {outside}"
    context.close()


def test_the_brief_page_weighs_under_300_kb(
    site: Site, browser: Any, paths: dict[str, tuple[str, int]]
) -> None:
    page = browser.new_page()
    sizes: dict[str, int] = {}

    def record(response: Any) -> None:
        if response.status == 200:
            sizes[response.url] = len(response.body())

    page.on("response", record)
    page.goto(site.base + paths["brief"][0], wait_until="networkidle")
    total = sum(sizes.values())
    print(f"\nbrief page weight: {total / 1024:.1f} KB in {len(sizes)} responses: {sizes}")
    assert total < 300 * 1024
    page.close()


def test_favicon_and_sources_list_each_feed_once(site: Site, browser: Any) -> None:
    import httpx

    icon = httpx.get(site.base + "/favicon.ico")
    assert icon.status_code == 200 and icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = browser.new_page()
    page.goto(site.base + "/sources")
    urls = page.locator("[data-testid=feed-url]").all_inner_texts()
    assert urls and len(urls) == len(set(urls))
    page.close()
