"""Playwright against the portal on a live test server, in the system Chromium (DESIGN.md).

Every request to another host is aborted and recorded, and the test fails if any was made.
Screenshots go to test-artifacts/ to be looked at.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# Playwright's sync API keeps an event loop running in the test's thread; the test's own
# database calls are still synchronous, so Django's guard against async contexts is lifted here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        skip = pytest.mark.skip(reason="no Chromium: apt-get install -y chromium")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class Visit:
    """A page that may talk only to the test server, with what it tried and what went wrong."""

    def __init__(self, page, server_url, *, javascript=True):
        self.page = page
        self.javascript = javascript
        self.server_url = server_url
        self.origin = urlsplit(server_url).netloc
        self.foreign = []
        self.problems = []
        page.route("**/*", self.route)
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.problems.append(str(error)))

    def goto(self, path):
        response = self.page.goto(self.server_url + path)
        assert response.ok, (path, response.status)
        return response

    def route(self, route):
        if urlsplit(route.request.url).netloc == self.origin:
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def console(self, message):
        if message.type in ("error", "warning"):
            self.problems.append(message.text)

    def click_when_still(self, locator, *, interval_ms=200, tries=25):
        """Click once the element has stopped moving: a map pans to show a popup, and a click
        that lands mid-pan hits the map instead (a loaded machine draws few frames per pan)."""
        box = None
        for _ in range(tries):
            previous, box = box, locator.bounding_box()
            if box and box == previous:
                break
            self.page.wait_for_timeout(interval_ms)
        locator.click()

    def open_marker(self, marker, *, tries=3):
        """Click a map marker until its popup shows, and return the popup: a click that lands
        while the map refits (after a resize) misses the marker, and a loaded machine refits
        slowly."""
        popup = self.page.locator(".leaflet-popup-content")
        for _ in range(tries):
            self.click_when_still(marker)
            try:
                popup.wait_for(state="visible", timeout=3000)
                break
            except PlaywrightTimeoutError:
                continue
        return popup

    def screenshot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)

    def assert_clean(self):
        assert self.foreign == [], "requests to other hosts"
        assert self.problems == [], "console errors"


@pytest.fixture
def visitor(browser, live_server):
    """`visitor(viewport, javascript=True, locale=None)` opens a fresh browser context on the
    test server; `locale="fr-FR"` makes the browser ask for French (Accept-Language)."""
    contexts = []

    def open_visit(viewport=DESKTOP, *, javascript=True, locale=None):
        context = browser.new_context(
            viewport=viewport, java_script_enabled=javascript, locale=locale
        )
        contexts.append(context)
        return Visit(context.new_page(), live_server.url, javascript=javascript)

    yield open_visit
    for context in contexts:
        context.close()
