"""What pages weigh and how fast they show on a poor connection, measured in the browser.

The budgets (first visit of the home page and of a thread of 20 posts: 100 KB in all and 30 KB of
JavaScript; the next page: 15 KB; a thread's first post within 3 s at 400 kbit/s and 400 ms)
hold for the portal as production serves it. So these tests run their own server: the static
files collected with whitenoise's CompressedManifestStaticFilesStorage into a temporary
STATIC_ROOT and served by whitenoise (hashed names, .br and .gz copies, immutable caching),
pages compressed by the portal's middleware, DEBUG off. pytest-django's live_server would serve
static files uncompressed and unhashed through Django's development handler instead.

Bytes are those on the wire, headers included: the DevTools protocol's encodedDataLength of
every response (static files come brotli-compressed from whitenoise, pages gzipped by Django).
The thread's posts are the programme's own prose, each different, so that they compress as a
real discussion does. The figures go to test-artifacts/weight.json (`bench/weight.py` prints
them as a table).
"""

import json
import threading
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from .conftest import ARTIFACTS, PHONE
from .portal_data import THREAD_POSTS, build_portal

pytestmark = pytest.mark.django_db(transaction=True)

KB = 1000
FIRST_VISIT_BUDGET = 100 * KB
FIRST_VISIT_JS_BUDGET = 30 * KB
NEXT_PAGE_BUDGET = 15 * KB
SLOW_FIRST_POST_MS = 3000
# A poor mobile connection: 400 kbit/s each way, 400 ms round trip.
SLOW_NETWORK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WEIGHT_FILE = ARTIFACTS / "weight.json"


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """`collectstatic` as a deployment runs it: hashed names, a manifest, .gz and .br copies."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STATIC):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


class RequestLog:
    """Wraps the server's WSGI application and notes the path of every request it receives,
    and the threads that served them."""

    def __init__(self):
        self.paths = []
        self.threads = set()

    def __call__(self, application):
        def logged(environ, start_response):
            self.paths.append(environ["PATH_INFO"])
            self.threads.add(threading.current_thread())
            return application(environ, start_response)

        return logged


class ProductionServer:
    """A live server with production's static files, and browser contexts on it. Contexts are
    not routed: Playwright turns the HTTP cache off on routed pages, and the cache is what a
    second visit is about; the Wire notes requests to other hosts instead."""

    def __init__(self, browser):
        self.browser = browser
        self.requests = RequestLog()
        self.contexts = []
        self.server = LiveServer("localhost", start=False)
        # Nothing in front of the portal's own WSGI application: whitenoise answers /static/,
        # where pytest-django puts Django's development handler.
        self.server.thread.static_handler = self.requests
        self.server.start()
        self.url = self.server.url

    def wire(self, viewport=PHONE):
        """A page in a fresh context, so with a cold cache."""
        context = self.browser.new_context(viewport=viewport)
        self.contexts.append(context)
        return Wire(context.new_page(), self.url)

    def stop(self):
        for context in self.contexts:
            context.close()
        # Chromium's kept-alive connections end with its contexts; their threads close the
        # shared test database connection, which must still be shared with them by then.
        for thread in self.requests.threads:
            thread.join(timeout=5)
        self.server.stop()


@pytest.fixture
def production_server(browser, settings, collected_static, transactional_db):
    """The server thread builds its middleware, whitenoise's included, from these settings
    when it starts: whitenoise then serves the collected files, hashed and compressed."""
    settings.DEBUG = False
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = PRODUCTION_STATIC
    server = ProductionServer(browser)
    yield server
    server.stop()


@pytest.fixture
def portal():
    return build_portal()


def kind(mime_type):
    if mime_type == "text/html":
        return "html"
    if mime_type == "text/css":
        return "css"
    if "javascript" in mime_type:
        return "js"
    if mime_type.startswith("font/") or "font" in mime_type:
        return "font"
    if mime_type.startswith("image/"):
        return "image"
    return "other"


class Wire:
    """Every response of a page as the DevTools protocol sees it: bytes received, type, headers,
    and whether the cache answered it without a request."""

    def __init__(self, page, server_url):
        self.page = page
        self.server_url = server_url
        self.origin = urlsplit(server_url).netloc
        self.cdp = page.context.new_cdp_session(page)
        self.responses = {}
        self.foreign = []
        self.problems = []
        self.cdp.on("Network.requestWillBeSent", self.sent)
        self.cdp.on("Network.responseReceived", self.received)
        self.cdp.on("Network.requestServedFromCache", self.from_cache)
        self.cdp.on("Network.dataReceived", self.data)
        self.cdp.on("Network.loadingFinished", self.finished)
        self.cdp.send("Network.enable")
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.problems.append(str(error)))

    def sent(self, event):
        url = event["request"]["url"]
        if url.startswith("data:"):
            return
        if urlsplit(url).netloc != self.origin:
            self.foreign.append(url)
        self.responses[event["requestId"]] = {
            "url": url,
            "bytes": 0,
            "decoded_bytes": 0,
            "cached": False,
        }

    def received(self, event):
        if entry := self.responses.get(event["requestId"]):
            response = event["response"]
            headers = {name.lower(): value for name, value in response["headers"].items()}
            entry.update(
                kind=kind(response["mimeType"]),
                status=response["status"],
                encoding=headers.get("content-encoding", ""),
                cache_control=headers.get("cache-control", ""),
                cached=entry["cached"] or response.get("fromDiskCache", False),
            )

    def from_cache(self, event):
        if entry := self.responses.get(event["requestId"]):
            entry["cached"] = True

    def data(self, event):
        if entry := self.responses.get(event["requestId"]):
            entry["decoded_bytes"] += event["dataLength"]

    def finished(self, event):
        if entry := self.responses.get(event["requestId"]):
            entry["bytes"] = event["encodedDataLength"]

    def console(self, message):
        if message.type in ("error", "warning"):
            self.problems.append(message.text)

    def visit(self, path):
        """Load a page until the network is quiet; what it cost, per kind of response."""
        self.responses.clear()
        response = self.page.goto(self.server_url + path, wait_until="networkidle")
        assert response.ok, (path, response.status)
        self.page.wait_for_timeout(100)  # the last protocol events are delivered
        responses = list(self.responses.values())
        by_kind = {}
        for entry in responses:
            by_kind[entry.get("kind", "other")] = (
                by_kind.get(entry.get("kind", "other"), 0) + (entry["bytes"])
            )
        return {
            "path": path,
            "total_bytes": sum(entry["bytes"] for entry in responses),
            "uncompressed_bytes": sum(
                entry["decoded_bytes"] for entry in responses if not entry["cached"]
            ),
            "bytes_by_kind": dict(sorted(by_kind.items())),
            "requests": len([entry for entry in responses if not entry["cached"]]),
            "responses": responses,
        }

    def assert_clean(self):
        assert self.foreign == [], "requests to other hosts"
        assert self.problems == [], "console errors"


def record(section, figures):
    """Keep the figures in test-artifacts/weight.json, section by section, and print them."""
    ARTIFACTS.mkdir(exist_ok=True)
    saved = json.loads(WEIGHT_FILE.read_text()) if WEIGHT_FILE.exists() else {}
    saved[section] = figures
    WEIGHT_FILE.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"\n{section}: {json.dumps(figures, indent=2)}")


def summary(measure):
    """The figures worth quoting, without the list of responses."""
    kept = {key: value for key, value in measure.items() if key != "responses"}
    kept["files"] = [
        f"{entry['bytes']:>7} B  {entry.get('encoding') or '-':<5} "
        + ("from the cache  " if entry["cached"] else f"of {entry['decoded_bytes']:>7} B  ")
        + urlsplit(entry["url"]).path
        for entry in measure["responses"]
    ]
    return kept


def assert_compressed_and_cacheable(measure):
    for entry in measure["responses"]:
        path = urlsplit(entry["url"]).path
        if entry.get("kind") in ("html", "css", "js"):
            assert entry["encoding"] in ("gzip", "br"), f"{path} is sent uncompressed"
        if path.startswith("/static/"):
            assert "immutable" in entry["cache_control"], (path, entry["cache_control"])
            assert "max-age=315360000" in entry["cache_control"], (path, entry["cache_control"])


def test_a_first_visit_stays_within_100_kb_and_30_kb_of_javascript(production_server, portal):
    figures = {}
    for label, path in [("home", "/en/"), ("thread", portal.thread.get_absolute_url())]:
        wire = production_server.wire()
        measure = wire.visit(path)
        if label == "thread":
            expect(wire.page.locator(".forum-post")).to_have_count(THREAD_POSTS)
        figures[label] = summary(measure)
        assert_compressed_and_cacheable(measure)
        wire.assert_clean()
    # Not budgeted, for the record: the map's page, the one page with JavaScript (Leaflet).
    wire = production_server.wire()
    figures["sites (no budget)"] = summary(wire.visit("/en/sites/"))
    wire.assert_clean()
    record("first visit", figures)

    for label in ("home", "thread"):
        measure = figures[label]
        assert measure["total_bytes"] <= FIRST_VISIT_BUDGET, (label, measure)
        assert measure["bytes_by_kind"].get("js", 0) <= FIRST_VISIT_JS_BUDGET, (label, measure)


def test_the_next_page_costs_at_most_15_kb_and_static_files_come_from_the_cache(
    production_server, portal
):
    thread = portal.thread.get_absolute_url()
    figures = {}
    # From the home page to the pages people go on to: the thread, the library, the dialogue.
    next_pages = [("thread", thread), ("library", "/en/publications/"), ("dialogue", "/en/forums/")]
    for label, path in next_pages:
        wire = production_server.wire()
        wire.visit("/en/")
        production_server.requests.paths.clear()
        measure = wire.visit(path)
        static_requests = [p for p in production_server.requests.paths if p.startswith("/static/")]
        assert static_requests == [], f"{label}: the cache should have answered {static_requests}"
        assert measure["requests"] == 1, summary(measure)
        figures[f"home → {label}"] = summary(measure)
        wire.assert_clean()
    record("next page", figures)

    for label, measure in figures.items():
        assert measure["total_bytes"] <= NEXT_PAGE_BUDGET, (label, measure)


# From the document's start, a check on every frame the browser draws (frames wait for the
# stylesheets in <head>): the first with the first post laid out and every stylesheet applied.
FIRST_POST_SHOWN = """(() => {
  const check = () => {
    const post = document.querySelector('.forum-post');
    const styled = [...document.querySelectorAll('link[rel=stylesheet]')]
      .every((link) => link.sheet !== null);
    if (post && styled && post.getBoundingClientRect().height > 0) {
      window.firstPostShownMs = performance.now();
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
})();"""


def test_on_a_slow_mobile_connection_a_thread_shows_its_first_post_within_3_seconds(
    production_server, portal
):
    wire = production_server.wire()
    wire.cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
    wire.page.add_init_script(FIRST_POST_SHOWN)

    wire.page.goto(production_server.url + portal.thread.get_absolute_url(), wait_until="load")
    shown_ms = wire.page.wait_for_function("() => window.firstPostShownMs").json_value()
    timing = wire.page.evaluate(
        """() => ({
          firstContentfulPaint: performance.getEntriesByName('first-contentful-paint')[0]
            ?.startTime,
          load: performance.getEntriesByType('navigation')[0].loadEventEnd,
        })"""
    )
    record(
        "slow connection",
        {
            "network": "400 kbit/s down and up, 400 ms round trip (DevTools protocol)",
            "page": f"thread of {THREAD_POSTS} posts, first visit (cold cache), phone",
            "first_post_shown_ms": round(shown_ms),
            "first_contentful_paint_ms": round(timing["firstContentfulPaint"] or 0),
            "load_event_ms": round(timing["load"]),
        },
    )
    wire.assert_clean()
    assert shown_ms < SLOW_FIRST_POST_MS


READING_PAGES = [
    # path, what shows that the page is there, how many of them (None: any)
    ("/en/", "main h1", None),
    ("/en/pages/about/", ".page-body", None),
    ("/en/publications/", ".publication-item", 6),
    ("/en/publications/global-solutions-study/", "main h1", None),
    ("/en/sites/", ".site-item", 4),
    ("/en/sites/itombwe/", ".site-facts", None),
    ("/en/forums/", "main h1", None),
    ("/en/forums/itombwe/", "main h1", None),
]


def test_reading_needs_no_javascript(visitor, portal):
    visit = visitor(PHONE, javascript=False)
    for path, shown, count in READING_PAGES:
        visit.goto(path)
        expect(visit.page.locator(shown).first).to_be_visible()
        if count:
            expect(visit.page.locator(shown)).to_have_count(count)

    visit.page.get_by_role("link", name=portal.thread.title).click()
    expect(visit.page.locator(".forum-post")).to_have_count(THREAD_POSTS)
    expect(visit.page.locator(".forum-post .post-body").last).to_be_visible()
    visit.screenshot("no-javascript-thread")
    visit.assert_clean()
