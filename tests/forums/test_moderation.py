"""Moderation services: decisions with reasons, thread actions, suspensions, and the log that
records them all and cannot be changed."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Action, ModerationLogEntry
from forums import moderation, services
from forums.models import Post, PostStatus, Thread
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return UserFactory(groups=["Moderators"], is_staff=True, name="Mod Erator")


@pytest.fixture
def forum():
    return ForumFactory(slug="itombwe")


@pytest.fixture
def post(forum):
    author = UserFactory(name="Amani", preferred_language="fr")
    return PostFactory(thread=ThreadFactory(forum=forum), author=author, body="Les négociants…")


def test_hiding_needs_a_reason_and_changes_nothing_without_one(moderator, post):
    with pytest.raises(ValidationError, match="Give a reason"):
        moderation.post_decide(moderator=moderator, post=post, decision=Action.HIDE, reason=" ")

    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert not ModerationLogEntry.objects.exists()


def test_a_hidden_post_is_logged_and_its_author_told_why_in_their_language(
    moderator, post, committed
):
    with committed():
        moderation.post_decide(
            moderator=moderator, post=post, decision=Action.HIDE, reason="Insulte personnelle"
        )

    post.refresh_from_db()
    assert post.status == PostStatus.HIDDEN
    entry = ModerationLogEntry.objects.get()
    assert (entry.action, entry.actor, entry.actor_name) == ("hide", moderator, "Mod Erator")
    assert (entry.before, entry.after) == ({"status": "approved"}, {"status": "hidden"})
    assert entry.reason == "Insulte personnelle"
    assert entry.subject_user_id == post.author_id
    (message,) = mail.outbox
    assert message.to == [post.author.email]
    assert "Votre message a été masqué" in message.subject
    assert "Insulte personnelle" in message.body
    assert "Les négociants" in message.body


def test_decisions_apply_only_to_posts_in_the_right_state(moderator, post):
    with pytest.raises(ValidationError, match="cannot be"):
        moderation.post_decide(moderator=moderator, post=post, decision=Action.APPROVE)

    moderation.post_decide(moderator=moderator, post=post, decision=Action.HIDE, reason="Spam")
    moderation.post_decide(moderator=moderator, post=post, decision=Action.RESTORE)

    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert list(ModerationLogEntry.objects.values_list("action", flat=True)) == ["restore", "hide"]


def test_approving_a_pending_post_publishes_and_counts_it(moderator, forum, committed):
    thread = ThreadFactory(forum=forum)
    pending = PostFactory(thread=thread, status=PostStatus.PENDING)

    with committed():
        moderation.post_decide(moderator=moderator, post=pending, decision=Action.APPROVE)

    pending.refresh_from_db()
    assert pending.approved_at is not None
    assert Thread.objects.get(pk=thread.pk).reply_count == 1
    (told,) = mail.outbox  # the author, who waited for it
    assert told.to == [pending.author.email]
    assert told.subject == "[ASM-PACE] Your post is published"
    assert pending.get_absolute_url() in told.body


def test_a_forum_moderator_acts_on_their_forum_only(forum, post):
    facilitator = UserFactory()
    ForumFactory(slug="elsewhere").moderators.add(facilitator)

    with pytest.raises(PermissionDenied):
        moderation.post_decide(moderator=facilitator, post=post, decision="hide", reason="x")
    forum.moderators.add(facilitator)
    del facilitator._moderated_forum_ids
    moderation.post_decide(moderator=facilitator, post=post, decision="hide", reason="x")
    with pytest.raises(PermissionDenied):
        moderation.user_suspend(moderator=facilitator, user=post.author, reason="Insults")


def test_thread_actions_are_logged_and_a_move_recounts_both_forums(moderator, forum):
    thread = ThreadFactory(forum=forum)
    PostFactory(thread=thread)
    other = ForumFactory(slug="mercury")

    moderation.thread_set(moderator=moderator, thread=thread, action=Action.LOCK)
    moderation.thread_set(moderator=moderator, thread=thread, action=Action.PIN)
    moderation.thread_set(moderator=moderator, thread=thread, action=Action.MOVE, to_forum=other)

    thread.refresh_from_db()
    forum.refresh_from_db()
    other.refresh_from_db()
    assert (thread.is_locked, thread.is_pinned, thread.forum) == (True, True, other)
    assert (forum.thread_count, forum.post_count) == (0, 0)
    assert (other.thread_count, other.post_count) == (1, 2)
    assert list(ModerationLogEntry.objects.values_list("action", flat=True)) == [
        "move",
        "pin",
        "lock",
    ]


def test_a_suspended_user_can_read_but_every_write_is_refused(client, moderator, post, committed):
    author = post.author
    with committed():
        moderation.user_suspend(moderator=moderator, user=author, reason="Threats")
    author = type(author).objects.get(pk=author.pk)  # fresh: no cached permissions
    thread = post.thread

    with pytest.raises(PermissionDenied):
        services.post_reply(author=author, thread=thread, body="Again", language="en")
    with pytest.raises(PermissionDenied):
        services.thread_start(author=author, forum=thread.forum, title="T", body="B", language="en")
    with pytest.raises(PermissionDenied):
        services.post_edit(editor=author, post=post, body="Edited", language="en")
    with pytest.raises(PermissionDenied):
        moderation.post_flag(user=author, post=PostFactory(thread=thread), reason="spam")
    client.force_login(author)
    assert client.get(thread.get_absolute_url()).status_code == 200
    assert "Threats" in mail.outbox[0].body
    assert ModerationLogEntry.objects.get().action == "suspend"


def test_a_suspension_needs_a_reason_and_a_future_end_and_can_be_lifted(
    moderator, post, settings, committed
):
    settings.FORUM_SECONDS_BETWEEN_POSTS = 0
    yesterday = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        moderation.user_suspend(moderator=moderator, user=post.author, reason="")
    with pytest.raises(ValidationError):
        moderation.user_suspend(moderator=moderator, user=post.author, reason="x", until=yesterday)

    suspension = moderation.user_suspend(moderator=moderator, user=post.author, reason="Spam")
    with committed():
        moderation.suspension_lift(moderator=moderator, suspension=suspension, reason="Apologised")

    author = type(post.author).objects.get(pk=post.author_id)
    reply = services.post_reply(author=author, thread=post.thread, body="Sorry", language="en")
    assert reply.pk
    assert list(ModerationLogEntry.objects.values_list("action", flat=True)) == ["lift", "suspend"]
    told = mail.outbox[-1]
    assert told.to == [author.email]
    assert "Apologised" in told.body


def test_the_log_cannot_be_changed_or_deleted_and_outlives_its_targets(moderator, post):
    moderation.post_decide(moderator=moderator, post=post, decision="hide", reason="Spam")
    entry = ModerationLogEntry.objects.get()

    entry.reason = "Nothing happened"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.update(reason="")
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.all().delete()
    description = str(post)
    Post.objects.filter(pk=post.pk).delete()

    entry = ModerationLogEntry.objects.get()
    assert (entry.target_type, entry.target_id) == ("post", post.pk)
    assert entry.target_repr == description
    assert entry.reason == "Spam"
