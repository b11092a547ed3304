"""Accessibility in a real browser: axe-core (WCAG 2.1 A and AA) on every page people visit, in
English and French at phone size, and the forms used with the keyboard alone.

axe-core is vendored for the tests only (`make vendor`) and evaluated through the DevTools
protocol, which the page's Content-Security-Policy does not govern: the page is checked exactly
as the portal serves it, with its CSP on (inline styles stay blocked, as for everyone).
"""

import re

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from accounts.models import User
from core.addresses import in_language, language_of
from notices.models import Kind, Notice
from publications.models import Topic

from .axe import FAILING, axe_violations, summary
from .conftest import DESKTOP, PHONE
from .portal_data import FRENCH_POST, THREAD_POSTS, build_portal

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal():
    portal = build_portal()
    # Something to be told of: a mention of the member, the outcome of a post they flagged.
    thread = portal.thread
    post = thread.posts.last()
    for kind, verb, target_type, target in (
        (Kind.MENTION, "", "post", post),
        (Kind.FLAG_OUTCOME, "hide", "thread", thread),
    ):
        Notice.objects.create(
            user=portal.member,
            kind=kind,
            verb=verb,
            cause=f"a11y:{kind}",
            target_type=target_type,
            target_id=target.pk,
            topic=f"thread:{thread.pk}",
            actor=post.author,
        )
    return portal


def search_exists():
    try:
        resolve("/en/search/")
    except Resolver404:
        return False
    return True


def at(path, language):
    """The page's address in that language (/fr/…), from a path with or without one."""
    return in_language(path, language) if language_of(path) else f"/{language}{path}"


def pages(portal, language="en"):
    """(label, path in that language, signed in) for every page people visit."""
    return [(label, at(path, language), member) for label, path, member in _pages(portal)]


def _pages(portal):
    thread = portal.thread
    visited = [
        ("home", "/", False),
        ("programme page", "/pages/about/", False),
        ("library", "/publications/", False),
        ("study", "/publications/global-solutions-study/", False),
        ("sites map", "/sites/", False),
        ("site", "/sites/itombwe/", False),
        ("dialogue", "/forums/", False),
        ("forum", portal.forum.get_absolute_url(), False),
        ("thread", thread.get_absolute_url(), False),
        ("sign up", "/accounts/signup/", False),
        ("sign in", "/accounts/login/", False),
        ("public profile", portal.member.get_absolute_url(), False),
        ("dialogue search", "/forums/search/?q=mercury", False),
    ]
    if search_exists():
        visited.append(("search", "/search/?q=mercury", False))
    visited += [
        ("thread, signed in", thread.get_absolute_url(), True),
        ("start a thread", f"/forums/{portal.forum.slug}/new/", True),
        ("reply", f"/forums/{portal.forum.slug}/{thread.pk}/reply/", True),
        ("my account", "/accounts/profile/", True),
        ("notifications", "/notifications/", True),
        ("notifications by email", "/notifications/email/", True),
        ("what I follow", "/forums/subscriptions/", True),
        ("library, a topic", f"/publications/?topic={Topic.objects.first().slug}", True),
    ]
    return visited


def set_language(visit, language):
    """What the language switcher leaves behind: Django's language cookie."""
    visit.page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": visit.server_url}]
    )


def sign_in(visit, portal, language):
    visit.goto(f"/{language}/accounts/login/")
    visit.page.locator("input[name=login]").fill(portal.member.email)
    visit.page.locator("input[name=password]").fill(portal.password)
    visit.page.locator("main form button[type=submit]").last.click()
    expect(visit.page.locator(f"form[action='/{language}/accounts/logout/']")).to_be_attached()


@pytest.mark.parametrize(
    ("language", "viewport"),
    [("en", PHONE), ("fr", PHONE), ("en", DESKTOP)],
    ids=["en-phone", "fr-phone", "en-desktop"],
)
def test_no_serious_accessibility_violation_on_any_page(visitor, portal, language, viewport):
    # Signing in switches to the person's own language: theirs is the one tested.
    User.objects.filter(pk=portal.member.pk).update(preferred_language=language)
    visit = visitor(viewport)
    set_language(visit, language)
    serious, minor = [], []
    signed_in = False
    for label, path, needs_member in pages(portal, language):
        if needs_member and not signed_in:
            sign_in(visit, portal, language)
            signed_in = True
        visit.goto(path)
        if "/sites/" in path:  # the map is drawn by then, markers and all
            expect(visit.page.locator("[data-site-map]")).to_have_class(
                re.compile(r"\bsite-map--ready\b")
            )
        assert visit.page.locator("html").get_attribute("lang") == language, path
        violations = axe_violations(visit.page)
        serious.append((label, path, [v for v in violations if v["impact"] in FAILING]))
        minor.append((label, path, [v for v in violations if v["impact"] not in FAILING]))
        if viewport == PHONE:
            visit.screenshot(f"a11y-{language}-{re.sub(r'[^a-z]+', '-', label)}")
    if any(violations for _, _, violations in minor):
        print(f"\nModerate and minor findings ({language}):\n" + summary(minor))
    serious = [entry for entry in serious if entry[2]]
    assert not serious, "serious or critical axe violations:\n" + summary(serious)
    visit.assert_clean()


def test_every_post_says_its_language(visitor, portal):
    visit = visitor(PHONE)
    set_language(visit, "en")  # the address says the page's language, not the cookie
    visit.goto(in_language(portal.thread.get_absolute_url(), "fr"))

    assert visit.page.locator("html").get_attribute("lang") == "fr"
    bodies = visit.page.locator(".forum-post .post-body")
    expect(bodies).to_have_count(THREAD_POSTS)
    languages = [bodies.nth(n).get_attribute("lang") for n in range(THREAD_POSTS)]
    assert languages == ["fr" if n == FRENCH_POST else "en" for n in range(THREAD_POSTS)]
    visit.assert_clean()


FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const rgba = (colour) => {
    const [r, g, b, a = 1] = colour.match(/[\\d.]+/g).map(Number);
    return {r, g, b, a};
  };
  const luminance = ({r, g, b}) => {
    const linear = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  // The ring is drawn around the element, on what is behind it: the first ancestor with a
  // background of its own.
  let behind = {r: 255, g: 255, b: 255, a: 1};
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour.a > 0) { behind = colour; break; }
  }
  const [light, dark] = [luminance(rgba(style.outlineColor)), luminance(behind)]
    .sort((x, y) => y - x);
  return {
    element: element.outerHTML.slice(0, 160),
    focusVisible: element.matches(':focus-visible'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    contrast: (light + 0.05) / (dark + 0.05),
  };
}"""


def assert_focus_shows(page):
    """The focused element matches :focus-visible and shows a ring of 2 px or more, with 3:1
    against what is behind it (WCAG 1.4.11)."""
    ring = page.evaluate(FOCUS_RING)
    assert ring["focusVisible"], f"not :focus-visible after Tab: {ring['element']}"
    assert ring["outline"], f"no focus ring: {ring['element']}"
    assert ring["contrast"] >= 3, f"focus ring of {ring['contrast']:.1f}:1: {ring['element']}"


def tab_to(visit, locator, *, most=60):
    """Press Tab until `locator` has the focus, checking that every stop shows it."""
    for _ in range(most):
        visit.page.keyboard.press("Tab")
        assert_focus_shows(visit.page)
        if locator.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {locator}")


def tab_next(visit, locator):
    """One Tab leads to `locator`, which shows that it has the focus."""
    visit.page.keyboard.press("Tab")
    expect(locator).to_be_focused()
    assert_focus_shows(visit.page)


def test_signing_in_and_replying_with_the_keyboard_alone(visitor, portal):
    visit = visitor(PHONE)
    visit.goto("/en/accounts/login/")
    page = visit.page

    # The first stop is the link that skips to the content, and it works.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_focus_shows(page)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # The sign-in form in reading order: each field, the link for a forgotten password that
    # belongs to its field, the box to stay signed in, the button; Enter on it signs in.
    tab_to(visit, page.get_by_label("Email"))
    page.keyboard.type(portal.member.email)
    tab_next(visit, page.get_by_label("Password"))
    page.keyboard.type(portal.password)
    tab_next(visit, page.get_by_role("link", name="Forgot your password?"))
    tab_next(visit, page.get_by_label("Remember me"))
    tab_next(visit, page.locator("main form button[type=submit]"))
    page.keyboard.press("Enter")
    expect(page.locator("form[action='/en/accounts/logout/']")).to_be_attached()

    # The reply form, from the top of its page: the post, its language, preview, post.
    visit.goto(f"/en/forums/{portal.forum.slug}/{portal.thread.pk}/reply/")
    fields = page.locator("main form").locator("textarea, select, input:not([type=hidden]), button")
    expect(fields).to_have_count(4)
    tab_to(visit, page.get_by_label("Your post"))
    page.keyboard.type("Typed with the keyboard alone: retorts work when the buyer pays more.")
    tab_next(visit, page.get_by_label("Written in"))
    tab_next(visit, page.get_by_role("button", name="Preview"))
    tab_next(visit, page.get_by_role("button", name="Post", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{portal.thread.get_absolute_url()}"))
    expect(page.locator(".forum-post").last).to_contain_text("Typed with the keyboard alone")
    visit.screenshot("keyboard-reply")
    visit.assert_clean()
