"""The newsletter's pages for readers, in the browser on a phone (360x740): from the footer's
small form to the whole one, many sites and themes readable in their labelled groups, nothing
wider than the screen, no serious axe finding. Screenshots go to test-artifacts/."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from newsletter.models import IssueState, Subscriber
from tests.factories import IssueFactory, SiteFactory, SubscriberFactory, TopicFactory

from .axe import FAILING, axe_violations, summary
from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def choices():
    sites = [SiteFactory(name=f"Protected area number {n}") for n in range(8)]
    for n in range(14):
        TopicFactory(name=f"Theme with a long name {n}")
    return sites


def test_on_a_phone_the_footer_form_leads_to_the_whole_form_and_a_subscription(visitor, choices):
    visit = visitor(PHONE)
    visit.goto("/en/")
    footer_form = visit.page.locator("footer form[data-newsletter-signup]")
    footer_form.get_by_label("Get the newsletter").fill("aline@example.org")
    footer_form.get_by_role("button", name="Subscribe").click()

    expect(visit.page).to_have_url(re.compile(r"/en/newsletter/subscribe/\?email="))
    main = visit.page.locator("main")
    expect(main.get_by_label("Email address")).to_have_value("aline@example.org")
    sites = main.get_by_role("group", name="Sites")
    expect(sites.get_by_role("checkbox")).to_have_count(8)
    expect(main.get_by_role("group", name="Themes").get_by_role("checkbox")).to_have_count(14)
    for label in main.locator(".newsletter-choices label").all():
        found = label.bounding_box()
        assert found["x"] >= 0
        assert found["x"] + found["width"] <= PHONE["width"], label.inner_text()
    assert visit.page.evaluate(OVERFLOW) <= 0
    visit.screenshot("newsletter-subscribe-phone")

    sites.get_by_label("Protected area number 3").check()
    main.get_by_role("group", name="Language of the emails").get_by_label("French").check()
    main.get_by_role("button", name="Subscribe").click()

    expect(visit.page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    reader = Subscriber.objects.get()
    assert reader.email == "aline@example.org"
    assert reader.language == "fr"
    assert [site.pk for site in reader.sites.all()] == [choices[3].pk]
    assert reader.confirmed_at is None
    visit.assert_clean()


def test_the_readers_pages_fit_a_phone_and_pass_axe(visitor, choices):
    reader = SubscriberFactory(email="aline@example.org")
    issue = IssueFactory(state=IssueState.SENT, sent_at=timezone.now(), subject="Gold")
    visit = visitor(PHONE)
    serious = []
    for label, path in (
        ("subscribe-en", "/en/newsletter/subscribe/"),
        ("subscribe-fr", "/fr/newsletter/subscribe/"),
        ("manage", reader.manage_url()),
        ("unsubscribe", reader.unsubscribe_url()),
        ("archive", "/en/newsletter/"),
        ("issue", issue.get_absolute_url()),
    ):
        visit.goto(path)
        assert visit.page.evaluate(OVERFLOW) <= 0, path
        found = [v for v in axe_violations(visit.page) if v["impact"] in FAILING]
        if found:
            serious.append((label, path, found))
        visit.screenshot(f"newsletter-phone-{label}")
    assert not serious, summary(serious)
    visit.assert_clean()
