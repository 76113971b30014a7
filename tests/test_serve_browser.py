"""Problems in the live preview, in a real browser: the system's Chromium, driven by Playwright, on `build.py serve`.

Skipped with a reason when Chromium is missing, except where BRIEF_REQUIRE_BROWSER=1
(CI), as in test_browser.py. No test reloads a page itself: serve's pages must.
"""

from __future__ import annotations

import pytest

from conftest import TINY_SHEET
from test_browser import CHROMIUM, CHROMIUM_ARGS, serious_violations_in_either_scheme
from test_serve import BROKEN, BROKEN_LINE, CHANGE_TIMEOUT, START_TIMEOUT, Server, free_port, seconds_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (Debian package `chromium`) on PATH"),
]

WAIT_MS = CHANGE_TIMEOUT * 1000
OLD_CONTENT = "Alpha said the pipeline carries gas."


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def elsewhere() -> list[str]:
    """The requests the test's pages made to hosts other than serve's: none may be made."""
    return []


@pytest.fixture
def context(browser, elsewhere):
    context = browser.new_context()

    def record(request) -> None:
        if not request.url.startswith("http://127.0.0.1:"):
            elsewhere.append(request.url)

    context.on("request", record)
    yield context
    context.close()


def serving(root) -> Server:
    running = Server(root, free_port())
    running.wait_for_line("serving http://", START_TIMEOUT)
    seconds_until(running.is_up, START_TIMEOUT)  # the port opens just after the first build
    return running


def opened(context, url: str):
    page = context.new_page()
    page.goto(url)
    return page


def test_a_broken_save_shows_a_banner_over_the_last_good_pages_until_it_is_fixed(tiny_project, context, elsewhere):
    root = tiny_project()
    running = serving(root)
    try:
        pages = [opened(context, running.url + path) for path in ("topics/energy.html", "index.html")]
        assert all(page.get_by_role("alert").count() == 0 for page in pages)

        (root / "briefings" / "energy.yaml").write_text(BROKEN, encoding="utf-8")
        for page in pages:
            alert = page.get_by_role("alert")
            alert.wait_for(timeout=WAIT_MS)  # live reload brings it: no page is reloaded here
            assert BROKEN_LINE in alert.inner_text()  # the message's <script> shown as text
            assert page.evaluate("window.injected") is None
        assert pages[0].get_by_text(OLD_CONTENT).first.is_visible()  # the last good page, under the banner
        assert serious_violations_in_either_scheme(pages[0])[0] == []

        (root / "briefings" / "energy.yaml").write_text(TINY_SHEET, encoding="utf-8")
        for page in pages:
            page.get_by_role("alert").wait_for(state="detached", timeout=WAIT_MS)
        assert pages[0].get_by_text(OLD_CONTENT).first.is_visible()
    finally:
        running.stop()
    assert elsewhere == []


def test_started_on_broken_content_the_browser_gets_the_problems_then_the_site_once_fixed(tiny_project, context, elsewhere):
    root = tiny_project({"energy": BROKEN})
    running = serving(root)
    try:
        for path in ("", "energy/"):
            page = opened(context, running.url + path)
            assert BROKEN_LINE in page.get_by_role("alert").inner_text()
            assert page.evaluate("window.injected") is None
        assert serious_violations_in_either_scheme(page)[0] == []

        page = opened(context, running.url + "topics/energy.html")
        (root / "briefings" / "energy.yaml").write_text(TINY_SHEET, encoding="utf-8")
        page.get_by_text(OLD_CONTENT).first.wait_for(timeout=WAIT_MS)  # the page asks serve, and reloads itself
        assert page.get_by_role("alert").count() == 0
    finally:
        running.stop()
    assert elsewhere == []
