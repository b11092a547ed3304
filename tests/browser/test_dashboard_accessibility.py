"""The admin's dashboard in a real browser: its charts drawn inline without breaking the
Content-Security-Policy (no console error), their tables a click away, and axe (WCAG 2.1 A and
AA) finding nothing serious or critical, at phone and desktop size."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import StakeholderGroup
from publications.models import DownloadCount
from tests.factories import (
    PostFactory,
    PublicationFactory,
    StaffFactory,
    ThreadFactory,
    UserFactory,
)

from .axe import assert_no_serious_violation
from .conftest import DESKTOP, PHONE
from .journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_dashboard_is_accessible_and_its_charts_break_no_policy(visitor, viewport):
    for group in (StakeholderGroup.MINER, StakeholderGroup.NGO, StakeholderGroup.GOVERNMENT):
        thread = ThreadFactory(author=UserFactory(stakeholder_group=group))
        PostFactory(thread=thread, author=UserFactory(stakeholder_group=group, country="MG"))
    DownloadCount.objects.create(
        publication=PublicationFactory(title="Global study"), day=timezone.localdate(), count=12
    )
    superuser = StaffFactory(name="Ada Admin", is_superuser=True)
    visit = visitor(viewport)

    sign_in(visit, superuser.email, start="/admin/")
    expect(visit.page).to_have_url(re.compile(r"/admin/$"))

    page = visit.page
    charts = page.locator("svg.pygal-chart")
    expect(charts).to_have_count(4)
    expect(page.get_by_role("img", name="Posts per forum")).to_be_visible()
    tables = page.locator(".dashboard-charts table")
    expect(tables.first).to_be_hidden()
    page.locator(".dashboard-charts summary").first.click()
    expect(tables.first).to_be_visible()
    assert_no_serious_violation(page, "dashboard")
    visit.screenshot(f"admin-dashboard-{'phone' if viewport == PHONE else 'desktop'}")
    visit.assert_clean()  # no console error: the CSP refused nothing


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_decision_page_says_how_many_and_its_buttons_line_up(visitor, viewport):
    from forums.models import PostStatus

    from .journeys import admin_action, moderator_signs_in

    posts = PostFactory.create_batch(2, status=PostStatus.PENDING)
    visit = moderator_signs_in(visitor, viewport)
    visit.goto("/admin/forums/post/?waiting=yes")
    rows = [
        visit.page.locator(
            "#result_list tbody tr", has=visit.page.locator(f"input[value='{p.pk}']")
        )
        for p in posts
    ]

    admin_action(visit, rows=rows, action="Approve the selected posts")

    page = visit.page
    expect(page.locator("h1")).to_have_text("Approve 2 posts")
    page.wait_for_load_state("load")  # its stylesheets too, before anything is measured
    confirm = page.locator(".submit-row input[type=submit]").bounding_box()
    back = page.locator(".submit-row a.cancel-link").bounding_box()
    # Side by side on a desktop, one under the other on a phone (Django's admin stacks them):
    # either way the same height, and lined up.
    assert abs(confirm["height"] - back["height"]) <= 1
    if viewport == DESKTOP:
        assert abs(confirm["y"] - back["y"]) <= 1
    else:
        assert abs(confirm["x"] - back["x"]) <= 1
        assert back["y"] >= confirm["y"] + confirm["height"]
    assert_no_serious_violation(page, "decision page")
    visit.screenshot(f"admin-decision-{'phone' if viewport == PHONE else 'desktop'}")
    visit.assert_clean()
