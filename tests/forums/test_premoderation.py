"""Newcomers' posts wait for a moderator until a few are approved; verified people and
moderators are published at once; moderators are told, at most once per quarter hour."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from asmpace import settings as project_settings
from forums import moderation, services
from forums.models import PostStatus
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def premoderation(settings):
    settings.FORUM_TRUSTED_AFTER_POSTS = 2
    settings.FORUM_SECONDS_BETWEEN_POSTS = 0


@pytest.fixture
def thread():
    return ThreadFactory(forum=ForumFactory(slug="itombwe"))


@pytest.fixture
def moderator():
    return UserFactory(groups=["Moderators"], is_staff=True, preferred_language="fr")


def reply(thread, author, body):
    return services.post_reply(author=author, thread=thread, body=body, language="en")


def test_the_portal_premoderates_newcomers_by_default():
    assert project_settings.FORUM_TRUSTED_AFTER_POSTS == 2


def test_a_newcomer_waits_until_two_posts_are_approved(thread, moderator):
    newcomer = UserFactory()

    first = reply(thread, newcomer, "One")
    second = reply(thread, newcomer, "Two")
    assert (first.status, second.status) == (PostStatus.PENDING, PostStatus.PENDING)
    for post in (first, second):
        moderation.post_decide(moderator=moderator, post=post, decision="approve")

    assert reply(thread, newcomer, "Three").status == PostStatus.APPROVED


def test_verified_people_and_moderators_are_published_at_once(thread, moderator):
    verified = UserFactory(affiliation_verified_at=timezone.now())
    facilitator = UserFactory()
    thread.forum.moderators.add(facilitator)

    assert reply(thread, verified, "Verified").status == PostStatus.APPROVED
    assert reply(thread, moderator, "Moderator").status == PostStatus.APPROVED
    assert reply(thread, facilitator, "Facilitator").status == PostStatus.APPROVED


def test_a_pending_post_is_shown_to_its_author_only(client, thread):
    newcomer = UserFactory()
    post = reply(thread, newcomer, "Waiting for a moderator")

    assert "Waiting for a moderator" not in client.get(thread.get_absolute_url()).text
    client.force_login(newcomer)
    page = client.get(thread.get_absolute_url()).text
    assert "Waiting for a moderator" in page
    assert "Awaiting moderation" in page
    assert post.status == PostStatus.PENDING


def test_moderators_are_told_at_most_once_per_quarter_hour_in_their_language(
    thread, moderator, committed
):
    cache.clear()
    elsewhere = UserFactory(is_staff=True)
    ForumFactory(slug="elsewhere").moderators.add(elsewhere)
    facilitator = UserFactory(preferred_language="en")
    thread.forum.moderators.add(facilitator)

    with committed():
        reply(thread, UserFactory(), "First")
    with committed():
        reply(thread, UserFactory(), "Second")

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [moderator.email, facilitator.email]
    )
    french = next(message for message in mail.outbox if message.to == [moderator.email])
    assert "1 message attend la modération" in french.subject
    assert "?waiting=yes" in french.body
    cache.clear()  # a quarter of an hour later
    with committed():
        reply(thread, UserFactory(), "Third")
    assert len(mail.outbox) == 4


def test_approved_posts_alone_tell_no_moderator(thread, committed):
    UserFactory(groups=["Moderators"], is_staff=True)
    cache.clear()

    with committed():
        PostFactory(thread=thread)
        reply(thread, UserFactory(affiliation_verified_at=timezone.now()), "Verified")

    assert mail.outbox == []
