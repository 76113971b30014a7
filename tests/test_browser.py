"""The built site in a real browser: the system's Chromium, driven by Playwright, opened from the folder.

Nothing downloads a browser: the tests use /usr/bin/chromium (Debian package
`chromium`) and skip with a reason when it is missing, except where
BRIEF_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from brief.pipeline import Project, build
from conftest import copy_project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("BRIEF_REQUIRE_BROWSER") == "1":
    raise RuntimeError("BRIEF_REQUIRE_BROWSER=1 but no chromium on PATH: apt-get install chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (Debian package `chromium`) on PATH"),
]

# Flags that keep a headless Chromium from reaching for Google's services on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("browser") / "project")
    build(Project(root))
    return root / "site"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page that records console errors and failed requests."""

    def __init__(self, browser, width: int = 1280, height: int = 900):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.errors: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url}"))
        self.page.on("request", self._refuse_other_hosts)

    def _refuse_other_hosts(self, request) -> None:
        if not request.url.startswith(("file://", "data:", "blob:", "about:")):
            self.errors.append(f"requested another host: {request.url}")

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def watched(browser):
    pages: list[Watched] = []

    def make(width: int = 1280) -> Watched:
        pages.append(Watched(browser, width))
        return pages[-1]

    yield make
    for page in pages:
        page.close()


def all_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def test_every_page_loads_without_errors_or_requests_elsewhere(site, watched):
    view = watched()
    for page in all_pages(site):
        view.open(page.as_uri())
        view.page.wait_for_timeout(50)
        assert view.errors == [], page.relative_to(site)


def test_navigation_reaches_every_topic(site, watched):
    view = watched()
    view.open((site / "index.html").as_uri())
    for title in ("Energy", "Trade", "Diplomacy", "Arms control"):
        view.page.locator(".md-nav--primary").get_by_role("link", name=title, exact=True).first.click()
        view.page.wait_for_load_state("load")
        assert view.page.locator("h1").first.inner_text() == title
    assert view.errors == []


def test_search_finds_power_of_siberia_offline(site, watched):
    view = watched()
    view.open((site / "index.html").as_uri())
    view.page.locator("input.md-search__input").click()
    view.page.keyboard.type("Power of Siberia", delay=20)
    results = view.page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    assert "Power of Siberia" in view.page.locator(".md-search-result").inner_text()
    assert view.errors == []


def test_citation_link_lands_on_its_highlighted_quote(site, watched):
    view = watched()
    view.open((site / "topics" / "energy.html").as_uri())
    fact = view.page.locator("#fact-china-largest-buyer-of-russian-energy")
    fact.locator("sup.brief-cite a").first.click()
    view.page.wait_for_load_state("load")
    anchor = view.page.url.split("#", 1)[1]
    assert "sources/kyivindependent-2025-01-21-xi-putin-call.html" in view.page.url
    mark = view.page.locator(f"#{anchor} + mark.brief-passage")
    assert "China is the largest consumer of Russian energy resources." in mark.inner_text()
    assert mark.is_visible()
    box = mark.bounding_box()
    assert 0 <= box["y"] < view.page.viewport_size["height"]
    outline = mark.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"


def test_timeline_filter_hides_and_shows_a_topic(site, watched):
    view = watched()
    view.open((site / "timeline.html").as_uri())
    diplomacy = view.page.locator('.brief-timeline__entry[data-topic="diplomacy"]')
    assert diplomacy.first.is_visible()
    view.page.get_by_label("Diplomacy").uncheck()
    assert diplomacy.evaluate_all("entries => entries.every(entry => entry.hidden)")
    assert view.page.locator('.brief-timeline__entry[data-topic="energy"]').first.is_visible()
    view.page.get_by_label("Diplomacy").check()
    assert diplomacy.first.is_visible()


def test_phone_layout_has_no_horizontal_scroll(site, watched):
    view = watched(width=375)
    for page in all_pages(site):
        view.open(page.as_uri())
        overflow = view.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.relative_to(site)} scrolls sideways by {overflow}px"


def test_dark_mode_applies_the_slate_scheme(site, browser):
    page = browser.new_page(color_scheme="dark")
    page.goto((site / "topics" / "trade.html").as_uri())
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(site, browser, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page(color_scheme=scheme)
    problems = []
    for path in all_pages(site):
        page.goto(path.as_uri())
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{path.relative_to(site)}: {violation['id']} {targets}")
    page.close()
    assert problems == []
