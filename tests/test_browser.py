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
def site(shipped) -> Path:
    return shipped[0]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page that records console errors and failed requests."""

    def __init__(self, browser, width: int = 1280, height: int = 900, touch: bool = False):
        # A touch page is a phone: taps, not a mouse, and the mobile viewport.
        self.context = browser.new_context(viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch)
        self.page = self.context.new_page()
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
        self.context.close()


@pytest.fixture
def watched(browser):
    pages: list[Watched] = []

    def make(width: int = 1280, height: int = 900, touch: bool = False) -> Watched:
        pages.append(Watched(browser, width, height, touch))
        return pages[-1]

    yield make
    for page in pages:
        page.close()


def all_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


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


def test_dark_mode_applies_the_slate_scheme(site, browser):
    page = browser.new_page(color_scheme="dark")
    page.goto((site / "topics" / "trade.html").as_uri())
    assert shown_scheme(page) == "slate"
    page.close()


def shown_scheme(page) -> str:
    """Material's colour scheme as the page shows it: `default` (light) or `slate` (dark)."""
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


# The rules whose outcome depends on colours: all that can change when the reader switches scheme.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
# No preloading: axe would fetch the stylesheets, which Chromium refuses to a page opened from the disk,
# logging an error of its own on the page (the findings are the same).
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}


def serious_violations(page, options: dict = AXE_OPTIONS) -> list[str]:
    """axe's serious and critical findings on the page as it is now, with the scheme it is shown in.

    axe-core is put into a page once, not before each run as Axe.run does: a page is checked in both schemes."""
    from axe_playwright_python.sync_playwright import Axe

    if page.evaluate("typeof axe === 'undefined'"):
        page.evaluate(Axe().axe_script)
    # No colour read halfway through a transition (a scheme switch; the header showing the title once the page scrolls).
    page.wait_for_function("document.getAnimations().length === 0")
    scheme = shown_scheme(page)
    found = page.evaluate("options => axe.run(document, options)", options)["violations"]
    return [f"{scheme}: {v['id']} {[node['target'] for node in v['nodes']][:3]}" for v in found if v["impact"] in ("serious", "critical")]


def serious_violations_in_either_scheme(page) -> tuple[list[str], tuple[str, ...]]:
    """Every rule in the scheme the page opens in, then, where it has Material's scheme toggle, the colour
    rules after the reader's switch to the other one; with the schemes seen. (Material picks its scheme
    when a page loads and does not follow a change of the emulated one, so the toggle it is.)"""
    schemes = [shown_scheme(page)]
    found = serious_violations(page)
    toggle = page.locator("form[data-md-component=palette] label:visible")
    if toggle.count():
        toggle.click()
        schemes.append(shown_scheme(page))
        found += serious_violations(page, {**AXE_OPTIONS, "runOnly": COLOUR_RULES})
    return found, tuple(schemes)


PHONE_WIDTH = 375


def test_every_page_loads_without_errors_or_requests_elsewhere_passes_axe_in_either_scheme_and_fits_a_phone(site, watched):
    # Each page is loaded once and checked for all of these: loads are most of what browser tests cost.
    # Material keeps the reader's choice of scheme for the next page, so the pages open in light and dark by turns.
    view = watched()
    desktop = view.page.viewport_size
    problems, seen = [], set()
    for path in all_pages(site):
        view.page.set_viewport_size(desktop)
        view.open(path.as_uri())
        view.page.wait_for_timeout(50)  # for what the page's scripts do just after it loads
        found, schemes = serious_violations_in_either_scheme(view.page)
        problems += [f"{path.relative_to(site)} {problem}" for problem in found]
        seen.add(schemes)
        view.page.set_viewport_size({**desktop, "width": PHONE_WIDTH})  # a phone held upright: the layout follows the width
        overflow = view.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        problems += [f"{path.relative_to(site)} scrolls sideways by {overflow}px on a phone"] if overflow > 0 else []
        assert view.errors == [], path.relative_to(site)
    assert problems == []
    assert seen == {("default", "slate"), ("slate", "default")}


# Glossary definitions and citation previews: a tap on a phone, a key on a keyboard (assets/brief.js).

def first_term(site: Path) -> tuple[str, str]:
    """The energy page's first glossary term and its definition, as the built page has them."""
    import html
    import re

    page = (site / "topics" / "energy.html").read_text(encoding="utf-8")
    name_and_title = re.search(r'<abbr class="brief-term" title="([^"]*)">([^<]*)</abbr>', page)
    return html.unescape(name_and_title.group(2)), html.unescape(name_and_title.group(1))


def test_a_tap_opens_a_definition_and_a_second_tap_or_one_elsewhere_closes_it(site, watched):
    name, definition = first_term(site)
    phone = watched(width=360, height=740, touch=True)
    phone.open((site / "topics" / "energy.html").as_uri())
    term = phone.page.locator("abbr.brief-term", has_text=name).first
    shown = phone.page.get_by_role("tooltip").filter(has_text=definition)

    term.tap()
    assert shown.is_visible()
    assert term.get_attribute("aria-expanded") == "true"
    shown_box, width = shown.bounding_box(), phone.page.viewport_size["width"]
    assert 0 <= shown_box["x"] and shown_box["x"] + shown_box["width"] <= width  # whole on a 360 px screen
    term.tap()
    assert not shown.is_visible()
    assert term.get_attribute("aria-expanded") == "false"

    term.tap()
    assert shown.is_visible()
    phone.page.locator("h1").tap()
    assert not shown.is_visible()
    assert phone.errors == []


def test_a_tap_on_a_citation_previews_its_quote_and_a_second_tap_follows_it(site, watched):
    phone = watched(width=360, height=740, touch=True)
    topic = (site / "topics" / "energy.html").as_uri()
    phone.open(topic)
    cite = phone.page.locator("#fact-china-largest-buyer-of-russian-energy sup.brief-cite a").first
    preview = phone.page.locator(".brief-popup").filter(has_text="China is the largest consumer of Russian energy resources.")

    cite.tap()
    assert preview.is_visible()
    assert phone.page.url == topic  # the first tap only previews
    phone.page.locator("h1").tap()
    assert not preview.is_visible()
    assert phone.errors == []  # before leaving: a navigation may cancel the page's own favicon request

    cite.tap()
    assert preview.is_visible()
    cite.tap()
    phone.page.wait_for_url("**/sources/kyivindependent-2025-01-21-xi-putin-call.html#*")

    phone.page.go_back()
    cite.tap()
    preview.get_by_role("link").tap()  # the preview's own, larger link goes there too
    phone.page.wait_for_url("**/sources/kyivindependent-2025-01-21-xi-putin-call.html#*")


def test_the_keyboard_reaches_a_definition_enter_shows_it_and_escape_hides_it(site, watched):
    name, definition = first_term(site)
    view = watched()
    view.open((site / "topics" / "energy.html").as_uri())
    shown = view.page.get_by_role("tooltip").filter(has_text=definition)
    for _ in range(100):
        view.page.keyboard.press("Tab")
        if view.page.evaluate("document.activeElement.textContent") == name:
            break
    else:
        pytest.fail(f"Tab never reaches the glossary term {name!r}")

    view.page.keyboard.press("Enter")
    assert shown.is_visible()
    tooltip_id = view.page.get_by_role("tooltip").get_attribute("id")
    assert view.page.evaluate("document.activeElement.getAttribute('aria-describedby')") == tooltip_id
    view.page.keyboard.press("Escape")
    assert not shown.is_visible()
    view.page.keyboard.press(" ")
    assert shown.is_visible()
    view.page.keyboard.press("Tab")  # moving on closes it
    assert not shown.is_visible()


def test_a_mouse_hover_previews_and_a_click_on_a_citation_still_follows_it(site, watched):
    name, definition = first_term(site)
    view = watched()
    topic = (site / "topics" / "energy.html").as_uri()
    view.open(topic)
    view.page.locator("abbr.brief-term", has_text=name).first.hover()
    assert view.page.get_by_role("tooltip").filter(has_text=definition).is_visible()
    cite = view.page.locator("#fact-china-largest-buyer-of-russian-energy sup.brief-cite a").first
    cite.hover()
    assert view.page.locator(".brief-popup").filter(has_text="China is the largest consumer").is_visible()
    cite.click()
    view.page.wait_for_url("**/sources/kyivindependent-2025-01-21-xi-putin-call.html#*")


def test_without_script_the_title_attributes_still_carry_definitions_and_quotes(site, browser):
    name, definition = first_term(site)
    page = browser.new_page(java_script_enabled=False)
    page.goto((site / "topics" / "energy.html").as_uri())
    assert page.locator("abbr.brief-term", has_text=name).first.get_attribute("title") == definition
    assert "China is the largest consumer" in page.locator("sup.brief-cite a").nth(1).get_attribute("title")
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations_with_a_popup_open(site, browser, scheme):
    name, _ = first_term(site)
    page = browser.new_page(color_scheme=scheme)
    page.goto((site / "topics" / "energy.html").as_uri())
    problems = []

    def check_with_popup_open() -> None:
        assert page.locator(".brief-popup").is_visible()
        problems.extend(serious_violations(page))

    page.locator("abbr.brief-term", has_text=name).first.focus()
    page.keyboard.press("Enter")
    check_with_popup_open()
    page.keyboard.press("Escape")
    page.locator("sup.brief-cite a").first.focus()  # a citation previews when the keyboard reaches it
    check_with_popup_open()
    page.close()
    assert problems == []


@pytest.mark.parametrize(("width", "height", "screens"), [(1280, 800, 1), (360, 740, 2)])
def test_the_first_headline_figure_is_in_the_first_screen_on_a_desktop_and_the_second_on_a_phone(site, browser, width, height, screens):
    # The bottom line comes first; the figures must follow at once, not below the topic cards.
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto((site / "index.html").as_uri())
    top = page.locator(".brief-figure").first.bounding_box()["y"]
    page.close()
    assert top < screens * height, f"first figure at {top}px, viewport {width}x{height}"


def test_cite_this_page_opens_and_its_button_copies_the_bibtex(site, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto((site / "topics" / "trade.html").as_uri())
    bibtex = page.locator(".brief-cite-this__code").nth(1)
    assert not bibtex.is_visible()  # collapsed until asked for
    page.locator(".brief-cite-this summary").click()
    button = page.locator(".brief-copy").nth(1)
    button.click()
    page.wait_for_function("document.querySelectorAll('.brief-copy')[1].textContent === 'Copied'")
    copied, shown = page.evaluate("navigator.clipboard.readText()"), bibtex.text_content()
    context.close()
    assert copied == shown and copied.startswith("@misc{") and "  title = {Trade},\n" in copied
