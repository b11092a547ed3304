"""The forum index, a forum and a thread page cost the same queries however long the dialogue:
posts from 10 to 500, participants from 3 to 100."""

import itertools

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StakeholderGroup, User
from forums.models import Post, PostStatus, Thread
from forums.services import refresh_counts
from tests.factories import ForumFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


PEOPLE = itertools.count()


def grow(thread, *, posts, people):
    """Add `posts` approved replies by `people` authors of every group, in a few queries."""
    groups = itertools.cycle(StakeholderGroup.values)
    authors = User.objects.bulk_create(
        User(
            email=f"person-{next(PEOPLE)}@example.org",
            name=f"Person {n}",
            stakeholder_group=next(groups),
            organisation=f"Organisation {n}",
            country="SL",
            password=make_password(None),
        )
        for n in range(people)
    )
    Post.objects.bulk_create(
        Post(
            thread=thread,
            author=authors[n % people],
            body=f"Reply {n}",
            body_html=f"<p>Reply {n}</p>",
            status=PostStatus.APPROVED,
            reply_to=None,
        )
        for n in range(posts)
    )
    refresh_counts(thread=thread)


def queries(client, url, **params):
    client.get(url, params)  # warm: sessions, content types, translations
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture(params=["visitor", "stakeholder", "moderator"])
def reader(request, client):
    if request.param == "stakeholder":
        client.force_login(UserFactory())
    elif request.param == "moderator":
        client.force_login(UserFactory(groups=["Moderators"], is_staff=True))
    return request.param


@pytest.mark.usefixtures("page_cache_off")
def test_pages_cost_the_same_queries_as_the_dialogue_grows(client, reader):
    forum = ForumFactory()
    thread = ThreadFactory(forum=forum)
    grow(thread, posts=10, people=3)
    urls = {
        "index": (reverse("forums:index"), {}),
        "forum": (forum.get_absolute_url(), {}),
        "thread": (thread.get_absolute_url(), {}),
        "thread, last page": (thread.get_absolute_url(), {"page": "last"}),
    }
    small = {name: queries(client, url, **params) for name, (url, params) in urls.items()}

    grow(thread, posts=490, people=97)
    for _ in range(30):
        grow(ThreadFactory(forum=forum), posts=2, people=1)
    ForumFactory.create_batch(5)

    large = {name: queries(client, url, **params) for name, (url, params) in urls.items()}

    assert Thread.objects.get(pk=thread.pk).reply_count == 500
    assert large == small
    # 14 before each signed-in reader's page counted their unread notices and, on a thread,
    # wrote their read mark (one query each).
    assert max(large.values()) <= 16
