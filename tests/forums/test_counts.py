"""A forum's counts move with each post without recounting the forum, and stay exact when two
people post at the same moment (two connections to PostgreSQL, each in its own transaction)."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums import services
from forums.models import Forum, Post, Thread
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory


def assert_counts_are_exact(forum):
    forum = Forum.objects.get(pk=forum.pk)
    public = Post.objects.public().filter(thread__forum=forum)
    assert forum.post_count == public.count()
    assert forum.thread_count == forum.threads.filter(is_visible=True).count()
    assert forum.last_post == public.order_by("-created_at", "-pk").first()
    for thread in Thread.objects.filter(forum=forum):
        assert thread.reply_count == thread.posts.approved().count() - 1


@pytest.mark.django_db
def test_a_reply_never_counts_the_whole_forum():
    forum = ForumFactory()
    threads = ThreadFactory.create_batch(3, forum=forum)
    PostFactory.create_batch(3, thread=threads[1])

    with CaptureQueriesContext(connection) as captured:
        services.post_reply(author=UserFactory(), thread=threads[0], body="Gold", language="en")

    counting = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
    assert counting, "the thread is still recounted"
    assert not [sql for sql in counting if '"forum_id"' in sql], counting
    assert_counts_are_exact(forum)


@pytest.mark.django_db
def test_moderation_and_moves_keep_both_forums_exact():
    from audit.models import Action
    from forums import moderation

    moderator = UserFactory(groups=["Moderators"], is_staff=True)
    here, there = ForumFactory(), ForumFactory()
    thread = ThreadFactory(forum=here)
    reply = PostFactory(thread=thread)
    ThreadFactory(forum=there)

    moderation.post_decide(moderator=moderator, post=reply, decision=Action.HIDE, reason="Spam")
    assert_counts_are_exact(here)
    moderation.thread_set(moderator=moderator, thread=thread, action=Action.MOVE, to_forum=there)
    assert_counts_are_exact(here)
    assert_counts_are_exact(there)


def write_at_once(monkeypatch, *writes):
    """Run each write in its own thread (and so its own connection); both reach the recount
    before either commits."""
    together = threading.Barrier(len(writes), timeout=20)
    recount = services.refresh_counts

    def recount_together(**kwargs):
        together.wait()
        recount(**kwargs)

    monkeypatch.setattr(services, "refresh_counts", recount_together)
    errors = []

    def run(write):
        try:
            write()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(write,)) for write in writes]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_thread", [True, False], ids=["one thread", "two threads"])
def test_two_replies_at_the_same_moment_leave_exact_counts(monkeypatch, same_thread):
    forum = ForumFactory()
    first, second = ThreadFactory(forum=forum), ThreadFactory(forum=forum)
    targets = (first, first) if same_thread else (first, second)
    authors = UserFactory.create_batch(2)

    write_at_once(
        monkeypatch,
        *(
            lambda author=author, thread=thread: services.post_reply(
                author=author, thread=thread, body=f"Reply by {author.name}", language="en"
            )
            for author, thread in zip(authors, targets, strict=True)
        ),
    )

    assert Post.objects.filter(thread__forum=forum).count() == 4
    assert_counts_are_exact(forum)
