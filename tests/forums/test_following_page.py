"""What I follow: every thread and forum a reader follows and still sees, each with its form."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StakeholderGroup
from forums import services
from forums.models import Delivery, Visibility
from tests.factories import ForumFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("forums:subscribe")


def follow(user, target, delivery=Delivery.IMMEDIATE):
    return services.subscription_set(user=user, target=target, delivery=delivery)


def checked(page, kind, target_id):
    """The delivery ticked in the form of one thread or forum on the page."""
    found = re.search(rf'id="delivery-{kind}-{target_id}-(\w+)" checked', page.text)
    return found[1] if found else None


def test_the_page_lists_what_i_follow_with_how(client):
    reader = UserFactory()
    forum = ForumFactory(name="Itombwe Nature Reserve")
    thread = ThreadFactory(forum=forum, title="Where may we dig?")
    other = ThreadFactory(forum=forum, title="Someone else's follow")
    follow(reader, thread, Delivery.DAILY)
    follow(reader, forum)
    follow(reader, ThreadFactory(forum=forum), Delivery.SITE)
    follow(UserFactory(), other)
    client.force_login(reader)

    page = client.get(PAGE)

    assert page.status_code == 200
    assert "Where may we dig?" in page.text
    # A followed thread opens where its reader stopped (forums.reading).
    assert f'href="{reverse("forums:unread", args=[thread.pk])}"' in page.text
    assert "Someone else's follow" not in page.text
    assert checked(page, "thread", thread.pk) == "daily"
    assert checked(page, "forum", forum.pk) == "immediate"
    assert page.text.count('value="unsubscribe"') == 3


def test_what_i_may_no_longer_see_is_not_listed(client):
    reader = UserFactory(stakeholder_group=StakeholderGroup.NGO)
    restricted = ForumFactory(
        visibility=Visibility.RESTRICTED, allowed_groups=[StakeholderGroup.NGO]
    )
    thread = ThreadFactory(forum=restricted, title="NGO strategy")
    follow(reader, thread)
    reader.stakeholder_group = StakeholderGroup.COMPANY
    reader.save()
    client.force_login(reader)

    page = client.get(PAGE)

    assert "NGO strategy" not in page.text
    assert "You follow nothing yet." in page.text


def test_a_visitor_is_asked_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_changing_how_from_the_page_comes_back_to_it(client):
    reader = UserFactory()
    thread = ThreadFactory(forum=ForumFactory())
    follow(reader, thread)
    client.force_login(reader)

    response = client.post(
        PAGE, {"thread": thread.pk, "delivery": "daily", "action": "subscribe", "next": PAGE}
    )

    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert checked(client.get(PAGE), "thread", thread.pk) == "daily"


def test_the_header_links_the_page_for_signed_in_readers(client):
    assert f'href="{PAGE}"' not in client.get(reverse("forums:index")).text
    client.force_login(UserFactory())
    assert f'href="{PAGE}"' in client.get(reverse("forums:index")).text


def test_the_page_costs_the_same_queries_for_3_or_30_follows(client, django_assert_num_queries):
    reader = UserFactory()
    forum = ForumFactory()
    client.force_login(reader)

    def grow(n):
        for _ in range(n):
            follow(reader, ThreadFactory(forum=forum))

    grow(3)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as small:
        client.get(PAGE)
    grow(27)

    with django_assert_num_queries(len(small)):
        page = client.get(PAGE)

    assert page.text.count('value="unsubscribe"') == 30
