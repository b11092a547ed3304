"""The error pages in a real browser (core.errors): axe finds nothing serious or critical on the
404, 403 (a suspended member's, with its reason and end) and 400 pages, in English and French at
phone size. A separate test from test_accessibility's walk, whose visits must answer 200."""

import re

import pytest
from playwright.sync_api import expect

from forums.models import Suspension
from tests.factories import PASSWORD, ThreadFactory, UserFactory

from .axe import FAILING, axe_violations, summary
from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(visit, user, language):
    visit.goto(f"/{language}/accounts/login/")
    visit.page.locator("input[name=login]").fill(user.email)
    visit.page.locator("input[name=password]").fill(PASSWORD)
    visit.page.locator("main form button[type=submit]").last.click()
    expect(visit.page.locator(f"form[action='/{language}/accounts/logout/']")).to_be_attached()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_serious_accessibility_violation_on_the_error_pages(visitor, language):
    thread = ThreadFactory()
    member = UserFactory(preferred_language=language)
    Suspension.objects.create(user=member, reason="Insults in three threads.", until=None)
    visit = visitor(PHONE)
    found = []
    for label, path, status, signed_in in (
        ("404", f"/{language}/publications/no-such-study/", 404, False),
        ("400", f"/{language}/forums/?page=%00", 400, False),
        ("403, suspended", f"/{language}/forums/{thread.forum.slug}/{thread.pk}/reply/", 403, True),
    ):
        if signed_in:
            sign_in(visit, member, language)
        response = visit.page.goto(visit.server_url + path)
        assert response.status == status, path
        assert visit.page.locator("html").get_attribute("lang") == language, path
        expect(visit.page.locator("h1")).to_be_visible()
        if signed_in:
            expect(visit.page.locator("main")).to_contain_text("Insults in three threads.")
        violations = axe_violations(visit.page)
        found.append((label, path, [v for v in violations if v["impact"] in FAILING]))
        visit.screenshot(f"error-{language}-{re.sub(r'[^a-z0-9]+', '-', label)}")
    serious = [entry for entry in found if entry[2]]
    assert not serious, "serious or critical axe violations:\n" + summary(serious)
    assert visit.foreign == [], "requests to other hosts"
    # The browser reports each error status on the console; nothing else may be there.
    assert [p for p in visit.problems if "the server responded with a status" not in p] == []
