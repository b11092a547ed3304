"""The home page with the portal's life on it, in a real browser: accessible (axe), nothing wider
than a phone's screen, every part there in English and French, and screenshots to look at."""

import pytest
from playwright.sync_api import expect

from .axe import FAILING, axe_violations, summary
from .conftest import DESKTOP, PHONE
from .portal_data import build_portal

pytestmark = pytest.mark.django_db(transaction=True)

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize(
    ("language", "viewport", "size"),
    [("en", PHONE, 360), ("fr", PHONE, 360), ("en", DESKTOP, 1280), ("fr", DESKTOP, 1280)],
)
def test_the_home_shows_the_dialogue_studies_sites_and_people(visitor, language, viewport, size):
    portal = build_portal()
    visit = visitor(viewport)
    visit.goto(f"/{language}/")
    page = visit.page

    dialogue = page.locator("section[aria-labelledby=home-dialogue-title]")
    expect(dialogue.get_by_role("link", name=portal.thread.title)).to_be_visible()
    expect(page.locator(".home-study")).to_have_count(4)
    expect(page.locator(".site-strip-item")).to_have_count(4)
    expect(page.locator(".people-count")).to_have_count(8)
    assert page.evaluate(OVERFLOW) <= 0, "the home is wider than the screen"

    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in FAILING]
    assert not serious, summary([("home", f"/{language}/", serious)])
    visit.screenshot(f"home-after-{language}-{size}")
    visit.assert_clean()
