"""The dialogue's reads, stated once: what everyone sees, what a reader's thread list holds, and
what waits for a moderator."""

import pytest
from django.contrib.auth.models import AnonymousUser

from forums import moderation
from forums.models import Flag, FlagReason, Post, PostStatus, Thread
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dialogue():
    forum = ForumFactory()
    author = UserFactory()
    visible = ThreadFactory(forum=forum, title="Visible")
    waiting = ThreadFactory(forum=forum, author=author, opening__status=PostStatus.PENDING)
    posts = {status: PostFactory(thread=visible, status=status) for status in PostStatus.values}
    # Approved, but in a thread whose opening post still waits: nobody else may see it yet.
    PostFactory(thread=waiting, status=PostStatus.APPROVED, body="Too early")
    return {"forum": forum, "author": author, "visible": visible, "waiting": waiting, **posts}


def test_public_posts_are_the_approved_ones_of_visible_threads(dialogue):
    public = set(Post.objects.public())

    assert public == {dialogue["visible"].posts.first(), dialogue[PostStatus.APPROVED]}
    assert not Post.objects.public().filter(body="Too early").exists()


def test_a_reader_is_shown_visible_threads_and_their_own_a_moderator_all(dialogue):
    threads = Thread.objects.filter(forum=dialogue["forum"])
    anonymous = AnonymousUser()

    assert set(threads.shown_to(anonymous)) == {dialogue["visible"]}
    assert set(threads.shown_to(UserFactory())) == {dialogue["visible"]}
    assert set(threads.shown_to(dialogue["author"])) == {dialogue["visible"], dialogue["waiting"]}
    assert set(threads.shown_to(anonymous, moderator=True)) == set(threads)


def test_what_waits_is_pending_or_flagged_and_open(dialogue):
    flagged = dialogue[PostStatus.APPROVED]
    resolved = PostFactory(thread=dialogue["visible"])
    Flag.objects.create(post=flagged, user=UserFactory(), reason=FlagReason.SPAM)
    Flag.objects.create(post=resolved, user=UserFactory(), reason=FlagReason.SPAM)
    Flag.objects.filter(post=resolved).update(resolved_at=flagged.created_at)

    waiting = set(Post.objects.waiting())

    assert waiting == {
        dialogue[PostStatus.PENDING],
        dialogue["waiting"].posts.order_by("pk").first(),
        flagged,
    }


def test_a_forums_own_moderator_waits_on_their_forum_only(dialogue):
    elsewhere = PostFactory(status=PostStatus.PENDING)
    forum_moderator = UserFactory()
    dialogue["forum"].moderators.add(forum_moderator)
    moderator = UserFactory(groups=["Moderators"])

    assert elsewhere not in moderation.waiting_for(forum_moderator)
    assert moderation.waiting_count(forum_moderator) == 2
    assert moderation.waiting_count(moderator) == 3
    assert moderation.waiting_count(UserFactory()) is None
