"""Unread markers: one mark per reader and thread, moved forward by the pages they read; "N new"
beside a thread in a forum's list (on pages kept for everyone of an audience); the way back to
the first post not read yet."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.services import account_delete
from forums.models import ReadMark, Visibility
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


def new_badges(page):
    found = re.findall(r'href="/en/forums/threads/(\d+)/unread/">(\d+) new', page)
    return {int(thread): int(count) for thread, count in found}


@pytest.fixture
def thread():
    return ThreadFactory(forum=ForumFactory(slug="itombwe"), title="Gold buyers in Itombwe")


def test_a_returning_reader_sees_what_is_new_and_goes_to_the_first_post_not_read(thread):
    reader, newcomer = UserFactory(), UserFactory()
    forum_url = thread.forum.get_absolute_url()
    signed_in(reader).get(thread.get_absolute_url())
    first_new = PostFactory(thread=thread, created_at=later(1))
    PostFactory(thread=thread, created_at=later(2))

    signed_in(newcomer).get(forum_url)  # the page is kept for their audience, then shared
    page = signed_in(reader).get(forum_url).content.decode()

    assert new_badges(page) == {thread.pk: 2}
    assert new_badges(signed_in(newcomer).get(forum_url).content.decode()) == {}
    jump = signed_in(reader).get(reverse("forums:unread", args=[thread.pk]))
    assert jump.url == f"{thread.get_absolute_url()}#post-{first_new.pk}"

    signed_in(reader).get(thread.get_absolute_url())
    assert new_badges(signed_in(reader).get(forum_url).content.decode()) == {}


def test_one_mark_per_reader_and_thread_never_moved_back(settings, thread):
    settings.FORUM_POSTS_PER_PAGE = 2
    reader = UserFactory()
    for minute in range(1, 5):
        PostFactory(thread=thread, created_at=later(minute))
    client = signed_in(reader)

    client.get(thread.get_absolute_url() + "?page=3")
    newest = ReadMark.objects.get(user=reader, thread=thread).read_until
    for _ in range(3):
        client.get(thread.get_absolute_url())

    assert ReadMark.objects.filter(user=reader).count() == 1
    assert ReadMark.objects.get(user=reader, thread=thread).read_until == newest


def test_having_read_everything_the_jump_goes_to_the_newest_post_and_a_new_reader_to_the_start(
    thread,
):
    reader = UserFactory()
    last = PostFactory(thread=thread, created_at=later(1))
    signed_in(reader).get(thread.get_absolute_url())
    url = reverse("forums:unread", args=[thread.pk])

    assert signed_in(reader).get(url).url.endswith(f"#post-{last.pk}")
    assert signed_in(UserFactory()).get(url).url == thread.get_absolute_url()
    assert Client().get(url).url == thread.get_absolute_url()


def test_visitors_get_no_marks_nor_badges(thread):
    Client().get(thread.get_absolute_url())
    page = Client().get(thread.forum.get_absolute_url()).content.decode()

    assert not ReadMark.objects.exists()
    assert "/unread/" not in page


def test_the_jump_into_a_thread_one_may_not_see_is_a_404(thread):
    hidden = ThreadFactory(forum=ForumFactory(visibility=Visibility.RESTRICTED))
    assert (
        signed_in(UserFactory()).get(reverse("forums:unread", args=[hidden.pk])).status_code == 404
    )


def test_a_deleted_account_keeps_no_marks(thread):
    reader = UserFactory()
    signed_in(reader).get(thread.get_absolute_url())

    account_delete(user=reader)

    assert not ReadMark.objects.filter(user=reader).exists()


def test_the_forum_list_with_markers_and_the_jump_cost_the_same_queries_as_threads_grow(
    django_assert_max_num_queries,
):
    forum = ForumFactory()
    reader = UserFactory()
    client = signed_in(reader)
    seen = {"list": [], "jump": []}
    for count in (3, 12):
        while forum.threads.count() < count:
            thread = ThreadFactory(forum=forum)
            client.get(thread.get_absolute_url())
            PostFactory(thread=thread, created_at=later(forum.threads.count()))
        client.get(forum.get_absolute_url())
        with django_assert_max_num_queries(20) as captured:
            page = client.get(forum.get_absolute_url()).content.decode()
        seen["list"].append(len(captured))
        assert len(new_badges(page)) == count
        with django_assert_max_num_queries(12) as captured:
            client.get(reverse("forums:unread", args=[thread.pk]))
        seen["jump"].append(len(captured))
    assert seen["list"][0] == seen["list"][1]
    assert seen["jump"][0] == seen["jump"][1]
