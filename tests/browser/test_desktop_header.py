"""The header at 1280x800, the commonest laptop screen: one row, in English and French (the
longer labels), signed in (more links) and out, a moderator's Admin link included. On a phone
the navigation folds behind a button (test_phone_layout.py).

Screenshots of the first screen go to test-artifacts/desktop-header-<case>.png, to be looked at.
"""

import pytest
from playwright.sync_api import expect

from accounts.models import User

from .conftest import ARTIFACTS, DESKTOP, PHONE
from .portal_data import build_portal
from .test_accessibility import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# One row of the navbar: the brand's line and the navbar's padding, with room for focus rings.
ONE_ROW_MOST_PX = 72


@pytest.fixture
def portal():
    return build_portal()


def header_rows(page):
    """The header's height, and the distinct rows (by their middle, to the pixel) its visible
    links, buttons and search box sit on."""
    return page.evaluate(
        """() => {
          const header = document.querySelector('.site-header');
          const items = [...header.querySelectorAll('a, button, input, summary')]
            .filter((element) => element.checkVisibility({ visibilityProperty: true }))
            .map((element) => element.getBoundingClientRect())
            .filter((box) => box.width > 0 && box.height > 0);
          const middles = items.map((box) => Math.round(box.top + box.height / 2));
          const root = document.documentElement;
          const overflow = root.scrollWidth - root.clientWidth;
          return {
            height: header.getBoundingClientRect().height,
            spread: Math.max(...middles) - Math.min(...middles),
            right: Math.max(...items.map((box) => box.right)),
            overflow,
          };
        }"""
    )


@pytest.mark.parametrize(
    ("language", "who"),
    [("fr", "member"), ("fr", "moderator"), ("en", "member"), ("fr", "visitor"), ("en", "visitor")],
)
def test_at_1280_the_header_is_one_row(visitor, portal, language, who):
    if who != "visitor":
        User.objects.filter(pk=portal.member.pk).update(
            preferred_language=language, is_staff=who == "moderator"
        )
    visit = visitor(DESKTOP)
    if who != "visitor":
        sign_in(visit, portal, language)
    visit.goto(f"/{language}/forums/")
    header = visit.page.locator(".site-header")
    expect(header.get_by_role("searchbox")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / f"desktop-header-{language}-{who}.png")

    rows = header_rows(visit.page)

    assert rows["height"] <= ONE_ROW_MOST_PX, rows
    assert rows["spread"] <= 8, rows  # every item on the same row
    assert rows["right"] <= DESKTOP["width"], rows
    assert rows["overflow"] <= 0, rows
    visit.assert_clean()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_at_1280_the_accounts_links_are_a_menu_that_opens_within_the_screen(
    visitor, portal, javascript
):
    User.objects.filter(pk=portal.member.pk).update(preferred_language="fr", is_staff=True)
    visit = visitor(DESKTOP, javascript=javascript)
    sign_in(visit, portal, "fr")
    visit.goto("/fr/forums/")
    header = visit.page.locator(".site-header")
    follow = header.get_by_role("link", name="Ce que je suis")
    sign_out = header.get_by_role("button", name="Se déconnecter")
    expect(header.get_by_role("link", name="Notifications")).to_be_visible()
    expect(follow).to_be_hidden()
    expect(sign_out).to_be_hidden()

    header.locator(".account-menu summary").click()

    for item in (follow, header.get_by_role("link", name="Administration"), sign_out):
        expect(item).to_be_visible()
        found = item.bounding_box()
        assert found["x"] >= 0, found
        assert found["x"] + found["width"] <= DESKTOP["width"], found
    # It opens over the page, not in the header's row.
    assert header.bounding_box()["height"] <= ONE_ROW_MOST_PX
    visit.page.screenshot(
        path=ARTIFACTS / f"desktop-header-fr-menu-{'js' if javascript else 'nojs'}.png"
    )
    sign_out.click()
    expect(header.get_by_role("link", name="Se connecter")).to_be_visible()
    visit.assert_clean()


def test_on_a_phone_the_accounts_links_are_listed_in_the_menu(visitor, portal):
    visit = visitor(PHONE)
    sign_in(visit, portal, "en")
    visit.goto("/en/forums/")
    header = visit.page.locator(".site-header")
    header.locator(".site-menu__button").click()

    expect(header.locator(".account-menu summary")).to_be_hidden()
    for name in ("Notifications", "What I follow", "Profile and settings"):
        expect(header.get_by_role("link", name=name)).to_be_visible()
    expect(header.get_by_role("button", name="Sign out")).to_be_visible()
    # Both languages are offered in the menu, the current one marked.
    expect(header.locator(".language-switcher button")).to_have_count(2)
    expect(header.locator(".language-switcher [aria-current]")).to_be_visible()
    first_screen = ARTIFACTS / "phone-menu-open-member-after.png"
    visit.page.screenshot(path=first_screen)
    visit.assert_clean()
