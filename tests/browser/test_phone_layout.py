"""The phone layout, measured in the browser at 360x740: a short header whose navigation folds
behind a button (with and without JavaScript), a thread's first post on the first screen, the
sites map's popup inside the screen; at 1280x800 the navigation shows and nothing overflows;
the print stylesheet.

Screenshots of the first screen go to test-artifacts/phone-*-<SHOTS>.png (SHOTS=before|after,
"after" by default), to be looked at.
"""

import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, DESKTOP, PHONE
from .portal_data import build_portal
from .test_accessibility import sign_in
from .test_sites_map import sites  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("SHOTS", "after")
HEADER_MOST_PX = 120


@pytest.fixture
def portal():
    return build_portal()


def first_screen(visit, name):
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / f"phone-{name}-{SHOTS}.png")


def box(locator):
    found = locator.bounding_box()
    assert found, "not laid out"
    return found


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_on_a_phone_the_header_is_short_and_the_menu_button_shows_the_navigation(
    visitor, portal, javascript
):
    visit = visitor(PHONE, javascript=javascript)
    visit.goto("/en/")
    first_screen(visit, f"home-{'js' if javascript else 'nojs'}")

    assert box(visit.page.locator(".site-header"))["height"] <= HEADER_MOST_PX
    about = visit.page.locator(".site-header").get_by_role("link", name="About")
    expect(about).to_be_hidden()
    expect(visit.page.locator(".site-header").get_by_role("searchbox")).to_be_hidden()

    button = visit.page.locator(".site-header summary")
    expect(button).to_be_visible()
    expect(button).to_have_accessible_name(re.compile("Menu"))
    button.click()
    expect(about).to_be_visible()
    expect(visit.page.locator(".site-header").get_by_role("searchbox")).to_be_visible()
    expect(visit.page.locator(".site-header").get_by_role("link", name="Sign in")).to_be_visible()
    # Everything in the open menu fits the screen's width.
    for link in visit.page.locator(".site-header a, .site-header button").all():
        if link.is_visible():
            assert box(link)["x"] + box(link)["width"] <= PHONE["width"] + 1, link
    first_screen(visit, f"menu-open-{'js' if javascript else 'nojs'}")
    about.click()
    expect(visit.page).to_have_url(re.compile(r"/en/pages/about/$"))
    visit.assert_clean()


def test_the_menu_button_works_from_the_keyboard(visitor, portal):
    visit = visitor(PHONE)
    visit.goto("/en/")
    about = visit.page.locator(".site-header").get_by_role("link", name="About")
    for _ in range(5):
        visit.page.keyboard.press("Tab")
        if visit.page.evaluate("() => document.activeElement.tagName") == "SUMMARY":
            break
    else:
        pytest.fail("Tab never reached the menu button")
    visit.page.keyboard.press("Enter")
    expect(about).to_be_visible()
    visit.page.keyboard.press("Tab")
    expect(about).to_be_focused()
    visit.page.keyboard.press("Shift+Tab")
    visit.page.keyboard.press("Enter")
    expect(about).to_be_hidden()
    visit.assert_clean()


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_on_a_phone_a_threads_first_post_shows_on_the_first_screen(visitor, portal, signed_in):
    visit = visitor(PHONE)
    if signed_in:
        sign_in(visit, portal, "en")
    visit.goto(portal.thread.get_absolute_url())
    first_screen(visit, f"thread-{'member' if signed_in else 'visitor'}")

    balance = visit.page.locator(".dialogue-balance")
    expect(balance).to_be_visible()
    first_text = visit.page.locator(".forum-post .post-body").first
    assert box(first_text)["y"] < PHONE["height"] - 20
    # Each post's header takes one or two lines.
    assert box(visit.page.locator(".forum-post header").first)["height"] <= 56
    # The strip: one segment per group heard, a legend saying each group's share in words.
    expect(balance.locator(".balance-strip rect")).to_have_count(6)
    expect(balance.locator(".balance-legend li")).to_have_count(6)
    expect(balance.locator(".balance-legend")).to_contain_text("Miners")
    # Today's detail, folded: people and posts per group.
    detail = balance.get_by_text(re.compile(r"\d+ (person|people), \d+ posts?")).first
    expect(detail).to_be_attached()
    expect(detail).to_be_hidden()
    balance.locator("summary").click()
    expect(detail).to_be_visible()
    visit.assert_clean()


def test_the_post_header_shows_initials_and_the_group(visitor, portal):
    visit = visitor(PHONE)
    visit.goto(portal.thread.get_absolute_url())
    first = visit.page.locator(".forum-post").first
    avatar = first.locator(".avatar")
    expect(avatar).to_have_text("AB")  # Amani Byamungu
    assert avatar.get_attribute("aria-hidden") == "true"
    assert "stakeholder-miner" in avatar.get_attribute("class")
    expect(first.locator("header")).to_contain_text("Amani Byamungu")
    expect(first.locator("header time")).to_be_visible()
    visit.assert_clean()


DESKTOP_PAGES = [
    "/en/",
    "/en/pages/about/",
    "/en/publications/",
    "/en/publications/global-solutions-study/",
    "/en/sites/",
    "/en/forums/",
    "/fr/forums/",
]


def test_on_a_desktop_the_navigation_shows_and_nothing_overflows(visitor, portal):
    visit = visitor(DESKTOP)
    for path in [*DESKTOP_PAGES, portal.thread.get_absolute_url()]:
        visit.goto(path)
        header = visit.page.locator(".site-header")
        expect(header.get_by_role("link", name=re.compile("About|À propos"))).to_be_visible()
        expect(header.get_by_role("searchbox")).to_be_visible()
        expect(header.locator("summary")).to_be_hidden()
        assert box(header)["height"] <= HEADER_MOST_PX, path
        overflow = visit.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
    visit.assert_clean()


def test_on_a_phone_nothing_overflows_either(visitor, portal):
    visit = visitor(PHONE)
    for path in [*DESKTOP_PAGES, portal.thread.get_absolute_url()]:
        visit.goto(path)
        overflow = visit.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, path
    visit.assert_clean()


def test_on_a_phone_the_map_popup_fits_the_screen(visitor, sites):  # noqa: F811
    visit = visitor(PHONE)
    visit.goto("/en/sites/")
    expect(visit.page.locator(".site-map__marker")).to_have_count(4)
    for name in ("Gola Rainforest National Park", "Madagascar's protected areas"):
        popup = visit.open_marker(visit.page.locator(f'.site-map__marker[aria-label="{name}"]'))
        expect(popup).to_contain_text(name)
        visit.page.wait_for_timeout(600)  # the map pans to show it
        first_screen(visit, f"map-popup-{name.split()[0].lower()}")
        shown = box(visit.page.locator(".leaflet-popup"))
        viewport = visit.page.viewport_size
        assert shown["x"] >= 0, (name, shown)
        assert shown["x"] + shown["width"] <= viewport["width"], (name, shown)
        # Inside the map as well, which clips it.
        map_box = box(visit.page.locator("[data-site-map]"))
        assert shown["y"] >= map_box["y"] - 1, (name, shown, map_box)
        assert shown["x"] >= map_box["x"] - 1, (name, shown, map_box)
        assert shown["x"] + shown["width"] <= map_box["x"] + map_box["width"] + 1, (
            name,
            shown,
            map_box,
        )
        visit.click_when_still(visit.page.locator(".leaflet-popup-close-button"))
        expect(popup).to_be_hidden()
    visit.assert_clean()


PRINTED = """() => {
  const shown = (selector) => [...document.querySelectorAll(selector)]
    .some((element) => getComputedStyle(element).display !== 'none');
  const link = document.querySelector(arguments_link);
  return {
    header: shown('.site-header'),
    footer: shown('.site-footer'),
    forms: shown('main form'),
    address: link ? getComputedStyle(link, '::after').content : null,
    fontSize: parseFloat(getComputedStyle(document.body).fontSize),
  };
}"""


@pytest.mark.parametrize("page", ["thread", "study"])
def test_printed_threads_and_studies_keep_the_text_and_show_link_addresses(visitor, portal, page):
    visit = visitor(DESKTOP)
    sign_in(visit, portal, "en")  # with the forms a member sees
    if page == "thread":
        first = portal.thread.posts.order_by("pk").first()
        first.body += "\n\nSee [the guidance](https://example.org/retorts)."
        first.save()
        visit.goto(portal.thread.get_absolute_url())
        link_selector = ".post-body a[href]"
    else:
        visit.goto("/en/publications/global-solutions-study/")
        link_selector = "main article a[href^='/'], main article a[href^='http']"
    visit.page.emulate_media(media="print")
    printed = visit.page.evaluate(PRINTED.replace("arguments_link", repr(link_selector)))
    assert printed["header"] is False
    assert printed["footer"] is False
    assert printed["forms"] is False
    assert printed["fontSize"] >= 14
    assert printed["address"], printed
    assert "/" in printed["address"], printed
    if page == "thread":
        assert "https://example.org/retorts" in printed["address"]
    expect(visit.page.locator("main h1")).to_be_visible()
    if page == "thread":
        expect(visit.page.locator(".forum-post .post-body").first).to_be_visible()
    visit.page.emulate_media(media="screen")
    assert visit.page.locator(".site-header").is_visible()
    visit.assert_clean()
