"""The verification page's dates (a request's, a decision's, a verification's) are <time>
elements the page's script writes in the person's zone, like every other page's times; never a
date taken from the server's zone."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import VerificationRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ASK = reverse("accounts:verification")
# 23:30 UTC on the 24th: already the 25th in Kinshasa, where the person lives.
LATE = datetime.datetime(2026, 11, 24, 23, 30, tzinfo=datetime.UTC)
DAY = '<time datetime="2026-11-24T23:30:00Z" data-when="day" title="24 Nov 2026, 11:30 p.m. UTC">'


@pytest.fixture
def person(client):
    user = UserFactory(preferred_language="en", country="CD")
    client.force_login(user)
    return user


def shown(client):
    page = client.get(ASK)
    assert page.status_code == 200
    return page.text


def test_a_waiting_requests_date_is_a_day_for_the_script(client, person):
    VerificationRequest.objects.create(user=person, statement="Registry 42", created_at=LATE)

    text = shown(client)

    assert f"Your request of {DAY}24 Nov 2026</time> is waiting for a moderator." in text


def test_a_refusals_date_is_a_day_for_the_script(client, person):
    VerificationRequest.objects.create(
        user=person, statement="Registry 42", status="refused", decided_at=LATE, reason="No"
    )

    text = shown(client)

    assert f"On {DAY}24 Nov 2026</time> a moderator could not verify" in text


def test_a_verifications_date_is_a_day_for_the_script(client, person):
    person.affiliation_verified_at = LATE
    person.save(update_fields=["affiliation_verified_at"])

    text = shown(client)

    assert f"Your affiliation has been verified since {DAY}24 Nov 2026</time>." in text
    # Not the server's rendering of the person's zone (the 25th in Kinshasa) either: the page
    # holds UTC and says so in the title, and the script converts it.
    assert "25 Nov" not in text


def test_in_french_the_date_reads_french(client, person):
    VerificationRequest.objects.create(user=person, statement="Registre 42", created_at=LATE)
    with translation.override("fr"):
        page = client.get(reverse("accounts:verification"))

    assert page.status_code == 200
    found = re.search(r'<time [^>]*data-when="day"[^>]*>([^<]+)</time>', page.text)
    assert found, "no day on the page"
    assert found.group(1) == "24 novembre 2026"
