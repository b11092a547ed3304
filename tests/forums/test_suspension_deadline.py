"""A suspended reader's 403 page gives the suspension's end as a deadline: a <time> in UTC,
saying so, that the page's script writes out in the reader's zone (never "in 7 days")."""

import datetime

import pytest
from django.utils import timezone, translation

from forums.models import Suspension
from tests.factories import PASSWORD, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_end_of_a_suspension_is_a_deadline_for_the_script(client):
    person = UserFactory(country="CD")
    client.login(email=person.email, password=PASSWORD)
    until = timezone.now().replace(microsecond=0) + datetime.timedelta(days=7)
    Suspension.objects.create(user=person, reason="Insults", until=until)
    thread = ThreadFactory()
    with translation.override("en"):
        reply = f"/en/forums/{thread.forum.slug}/{thread.pk}/reply/"

    page = client.get(reply)

    assert page.status_code == 403
    iso = until.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'<time datetime="{iso}" data-when="exact" title="' in page.text
    assert " UTC</time>" in page.text
