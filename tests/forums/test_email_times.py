"""Times in emails: written in the recipient's zone (theirs, else their country's) and language,
naming the zone, since an email is read far from the page's script that would convert them."""

import datetime

import pytest
from django.utils import timezone

from core.emails import render_email
from forums import notifications
from forums.models import Delivery
from forums.services import subscription_set
from tests.factories import PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

# 12:05 UTC in July: 13:05 in Kinshasa (UTC+1, no summer time), 14:05 in Paris (UTC+2).
MOMENT = datetime.datetime(2026, 7, 14, 12, 5, tzinfo=datetime.UTC)
KINSHASA_EN = "14 Jul 2026, 1:05 p.m. (Africa/Kinshasa)"
PARIS_FR = "14 juillet 2026 14:05 (Europe/Paris)"


@pytest.fixture
def kinshasa():
    """An English reader in the DR Congo, whose zone comes from their country."""
    return UserFactory(preferred_language="en", country="CD", time_zone="")


@pytest.fixture
def paris():
    """A French reader who chose Paris's zone, living in the DR Congo."""
    return UserFactory(preferred_language="fr", country="CD", time_zone="Europe/Paris")


@pytest.fixture
def post():
    thread = ThreadFactory(title="Mercury at Mwenga")
    return PostFactory(thread=thread, created_at=MOMENT, body="Retorts **halved** our mercury.")


def html_of(message):
    (html, _mime), *_ = message.alternatives
    return html


def a_post_email(reader, post):
    subscription = subscription_set(user=reader, target=post.thread, delivery=Delivery.IMMEDIATE)
    return notifications.post_email(reader=reader, post=post, subscriptions=[subscription])


def test_a_new_post_email_says_its_time_in_the_readers_zone_and_names_it(kinshasa, paris, post):
    to_kinshasa = a_post_email(kinshasa, post)
    to_paris = a_post_email(paris, post)

    assert KINSHASA_EN in to_kinshasa.body
    assert KINSHASA_EN in html_of(to_kinshasa)
    assert PARIS_FR in to_paris.body
    assert PARIS_FR in html_of(to_paris)
    for message in (to_kinshasa, to_paris):
        assert "12:05" not in message.body  # the UTC time is not shown as if it were local
        assert "12:05" not in html_of(message)


def test_the_digest_says_each_posts_time_in_the_readers_zone(kinshasa, paris, post):
    for reader, expected in ((kinshasa, KINSHASA_EN), (paris, PARIS_FR)):
        subscription = subscription_set(user=reader, target=post.thread, delivery=Delivery.DAILY)
        message = notifications.digest_email(
            reader=reader, posts=[post], subscriptions=[subscription]
        )
        assert expected in message.body
        assert expected in html_of(message)


def test_a_suspension_email_says_its_end_in_the_readers_zone(kinshasa, paris):
    until = MOMENT + datetime.timedelta(days=7)
    to_kinshasa = render_email(
        "forums/email/suspended", {"reason": "Insults", "until": until}, reader=kinshasa
    )
    to_paris = render_email(
        "forums/email/suspended", {"reason": "Insultes", "until": until}, reader=paris
    )

    assert "until 21 Jul 2026, 1:05 p.m. (Africa/Kinshasa):" in to_kinshasa.body
    assert "jusqu'au 21 juillet 2026 14:05 (Europe/Paris) :" in to_paris.body


def test_a_reader_without_a_known_zone_reads_utc_and_is_told_so(post):
    reader = UserFactory(preferred_language="en", country="US", time_zone="")
    message = a_post_email(reader, post)

    assert "14 Jul 2026, 12:05 p.m. (UTC)" in message.body


def test_rendering_an_email_leaves_the_requests_zone_as_it_was(kinshasa, post):
    with timezone.override("Asia/Tokyo"):
        a_post_email(kinshasa, post)
        assert timezone.get_current_timezone_name() == "Asia/Tokyo"
