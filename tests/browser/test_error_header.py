"""The 500 page's header, made without the database (templates/errors/includes/header.html), is
as short on a phone as the portal's own: the ways in folded behind the Menu button."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE
from .test_phone_layout import HEADER_MOST_PX

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def failing_page(settings):
    settings.ROOT_URLCONF = "tests.browser.failing_urls"


def test_on_a_phone_the_500_pages_header_is_short_and_its_menu_opens(visitor, failing_page):
    visit = visitor(PHONE, locale="fr-FR")
    response = visit.page.goto(visit.server_url + "/fails/")

    assert response.status == 500
    expect(visit.page.locator("h1")).to_have_text("Une erreur s\u2019est produite")
    header = visit.page.locator(".site-header")
    assert header.bounding_box()["height"] <= HEADER_MOST_PX
    studies = header.get_by_role("link", name="Études et outils")
    expect(studies).to_be_hidden()
    header.locator("summary").click()
    expect(studies).to_be_visible()
    visit.screenshot("error-fr-500-phone-menu-open")
    assert [p for p in visit.problems if not re.search("status of 500", p)] == []
    assert visit.foreign == []
