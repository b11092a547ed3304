"""The admin's start page at 1280x800: its charts two by two, not stacked in Django's 600 px
column of a start page; one above the other on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PostFactory, StaffFactory, ThreadFactory

from .conftest import DESKTOP, PHONE
from .journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("viewport", "per_row"), [(DESKTOP, 2), (PHONE, 1)], ids=["desktop", "phone"]
)
def test_the_charts_sit_side_by_side_where_there_is_room(visitor, viewport, per_row):
    PostFactory(thread=ThreadFactory())
    superuser = StaffFactory(is_superuser=True)
    visit = visitor(viewport)
    sign_in(visit, superuser.email, start="/admin/")
    expect(visit.page).to_have_url(re.compile(r"/admin/$"))

    charts = visit.page.locator(".dashboard-charts figure")
    expect(charts).to_have_count(4)
    tops = [round(chart.bounding_box()["y"]) for chart in charts.all()]

    assert len([top for top in tops if top == tops[0]]) == per_row, tops
    overflow = visit.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    visit.screenshot(f"admin-dashboard-layout-{'desktop' if viewport == DESKTOP else 'phone'}")
    visit.assert_clean()
