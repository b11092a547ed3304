"""A person's own pages in a real browser: the verification page's dates and a suspension's end
on the 403 page are written by static/js/times.js in the person's zone (their profile's), in
their language, British in English."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import VerificationRequest
from forums.models import Suspension
from tests.factories import ThreadFactory, UserFactory

from .test_times import open_page  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)

# 23:30 UTC on 24 November: 08:30 on the 25th in Tokyo.
LATE = datetime.datetime(2026, 11, 24, 23, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "day"), [("en", "25 November 2026"), ("fr", "25 novembre 2026")]
)
def test_a_requests_date_is_the_day_in_the_persons_zone(open_page, language, day):  # noqa: F811
    person = UserFactory(time_zone="Asia/Tokyo", preferred_language=language)
    VerificationRequest.objects.create(user=person, statement="Registry 42", created_at=LATE)
    with translation.override(language):
        path = reverse("accounts:verification")

    visit = open_page(path, user=person, zone="UTC", locale="en-GB")

    shown = visit.page.locator("main time[data-when=day]")
    assert shown.text_content() == day
    assert re.search(r"08:30 (GMT|UTC)\+9$", shown.get_attribute("title"))
    visit.assert_clean()


def test_a_suspensions_end_is_written_in_the_persons_zone(open_page):  # noqa: F811
    person = UserFactory(time_zone="Asia/Tokyo", preferred_language="en")
    # A week on, at 23:30 UTC: 08:30 the next day in Tokyo.
    until = timezone.now().astimezone(datetime.UTC).replace(
        hour=23, minute=30, second=0, microsecond=0
    ) + datetime.timedelta(days=7)
    Suspension.objects.create(user=person, reason="Insults", until=until)
    thread = ThreadFactory()

    visit = open_page("/en/", user=person, zone="UTC")
    response = visit.page.goto(
        f"{visit.server_url}/en/forums/{thread.forum.slug}/{thread.pk}/reply/"
    )

    assert response.status == 403
    tokyo = until.astimezone(datetime.timezone(datetime.timedelta(hours=9)))
    deadline = visit.page.locator("main time[data-when=exact]")
    text = deadline.text_content()
    assert text.startswith(f"{tokyo.day} {tokyo:%B} {tokyo.year}"), text
    assert re.search(r"08:30 GMT\+9$", text), text
    assert "UTC" not in text
