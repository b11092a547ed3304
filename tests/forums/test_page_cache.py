"""Visitors' cached dialogue pages show every change at once: each write through the services
that the portal uses, then the page a visitor gets next."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import verification_decide
from audit.models import Action
from core.pagecache import HIT_HEADER
from forums import moderation, services
from forums.models import PostStatus, ThreadKind, Visibility
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def visit(url):
    """What a new visitor gets, after a first visitor has filled the cache."""
    Client().get(url)
    return Client().get(url)


def fresh(url, change):
    """The page before and after a change, both as a visitor gets them from the cache."""
    before = visit(url)
    assert before.headers.get(HIT_HEADER) == "hit"
    change()
    after = Client().get(url)
    return before.content.decode(), after.content.decode()


def test_a_new_reply_is_on_the_thread_the_forum_and_the_index(thread):
    author = UserFactory(name="Zawadi")
    for url in (thread.get_absolute_url(), thread.forum.get_absolute_url(), "/en/forums/"):
        visit(url)

    services.post_reply(author=author, thread=thread, body="Mercury is sold openly.", language="en")

    assert "Mercury is sold openly." in Client().get(thread.get_absolute_url()).content.decode()
    assert "Zawadi" in Client().get(thread.forum.get_absolute_url()).content.decode()
    assert "Zawadi" in Client().get("/en/forums/").content.decode()


def test_an_edit_is_shown_at_once(thread, reply):
    before, after = fresh(
        thread.get_absolute_url(),
        lambda: services.post_edit(
            editor=reply.author, post=reply, body="Mondays and Thursdays.", language="en"
        ),
    )

    assert "The buyers come on Mondays." in before
    assert "Mondays and Thursdays." in after
    assert "The buyers come on Mondays." not in after


def test_hiding_and_restoring_a_post_is_shown_at_once(moderator, thread, reply):
    url = thread.get_absolute_url()

    _, hidden = fresh(
        url,
        lambda: moderation.post_decide(
            moderator=moderator, post=reply, decision=Action.HIDE, reason="Off topic"
        ),
    )
    _, restored = fresh(
        url,
        lambda: moderation.post_decide(
            moderator=moderator, post=reply, decision=Action.RESTORE, reason="On reflection"
        ),
    )

    assert "The buyers come on Mondays." not in hidden
    assert "The buyers come on Mondays." in restored


def test_approving_and_rejecting_pending_posts_is_shown_at_once(moderator, thread):
    waiting = PostFactory(thread=thread, body="Waiting for a moderator.", status="pending")
    refused = PostFactory(thread=thread, body="Refused by a moderator.", status="pending")
    url = thread.get_absolute_url()

    before, approved = fresh(
        url, lambda: moderation.post_decide(moderator=moderator, post=waiting, decision="approve")
    )
    moderation.post_decide(moderator=moderator, post=refused, decision="reject", reason="Spam")
    after_reject = Client().get(url).content.decode()

    assert "Waiting for a moderator." not in before
    assert "Waiting for a moderator." in approved
    assert "Refused by a moderator." not in after_reject
    assert refused.__class__.objects.get(pk=refused.pk).status == PostStatus.REJECTED


@pytest.mark.parametrize(
    ("action", "page", "shown"),
    [(Action.PIN, "forum", "Pinned"), (Action.LOCK, "thread", "This thread is locked")],
)
def test_pinning_and_locking_are_shown_at_once(moderator, thread, action, page, shown):
    url = thread.forum.get_absolute_url() if page == "forum" else thread.get_absolute_url()
    before, after = fresh(
        url, lambda: moderation.thread_set(moderator=moderator, thread=thread, action=action)
    )

    assert shown not in before
    assert shown in after


def test_a_moved_thread_leaves_its_old_address_and_forum(moderator, thread):
    old_url, old_forum = thread.get_absolute_url(), thread.forum.get_absolute_url()
    visit(old_url)
    visit(old_forum)
    elsewhere = ForumFactory(slug="liberia")

    moderation.thread_set(
        moderator=moderator, thread=thread, action=Action.MOVE, to_forum=elsewhere
    )
    thread.refresh_from_db()

    assert Client().get(old_url).status_code in (301, 302, 404)
    assert "Gold buyers in Itombwe" not in Client().get(old_forum).content.decode()
    assert "Gold buyers in Itombwe" in Client().get(elsewhere.get_absolute_url()).content.decode()


def test_a_consultations_outcome_is_shown_at_once(moderator):
    consultation = ThreadFactory(kind=ThreadKind.CONSULTATION, title="Buffer zone rules")
    before, after = fresh(
        consultation.get_absolute_url(),
        lambda: moderation.consultation_close(
            facilitator=moderator, thread=consultation, outcome="The buffer zone stays at 5 km."
        ),
    )

    assert "The buffer zone stays at 5 km." not in before
    assert "The buffer zone stays at 5 km." in after


def test_a_changed_name_and_verification_mark_are_on_every_post(moderator, thread, reply):
    author = reply.author

    def rename():
        author.name = "Amani Bisimwa"
        author.save()

    before, after = fresh(thread.get_absolute_url(), rename)
    assert "Amani Bisimwa" not in before
    assert "Amani Bisimwa" in after

    request = author.verification_requests.create(statement="Secretary of the miners' union.")
    unverified, verified = fresh(
        thread.get_absolute_url(),
        lambda: verification_decide(moderator=moderator, request=request, approve=True),
    )
    assert verified.count("Verified") > unverified.count("Verified")


def test_signing_in_changes_no_cached_page(thread):
    person = UserFactory()
    visit(thread.get_absolute_url())

    person.last_login = timezone.now()
    person.save(update_fields=["last_login"])

    assert Client().get(thread.get_absolute_url()).headers.get(HIT_HEADER) == "hit"


def test_a_restricted_forum_is_never_cached_for_outsiders():
    member = UserFactory()
    forum = ForumFactory(slug="members", visibility=Visibility.MEMBERS)
    secret = ThreadFactory(forum=forum, title="Members only: the buyers' names")
    signed_in = Client()
    signed_in.force_login(member)

    assert signed_in.get(secret.get_absolute_url()).status_code == 200
    for url in (secret.get_absolute_url(), forum.get_absolute_url()):
        assert visit(url).status_code == 404
    assert "the buyers' names" not in visit("/en/forums/").content.decode()


def test_signed_in_readers_share_each_posts_html_but_never_their_controls(thread, reply):
    author, reader = Client(), Client()
    author.force_login(reply.author)
    reader.force_login(UserFactory(name="Another Reader"))
    edit_link = f'href="/en/forums/posts/{reply.pk}/edit/"'

    first = reader.get(thread.get_absolute_url()).content.decode()
    own = author.get(thread.get_absolute_url()).content.decode()
    again = reader.get(thread.get_absolute_url()).content.decode()

    assert "The buyers come on Mondays." in first
    assert "The buyers come on Mondays." in own
    assert edit_link in own
    assert edit_link not in first
    assert edit_link not in again

    reply.author.name = "Amani B."
    reply.author.save()

    assert "Amani B." in reader.get(thread.get_absolute_url()).content.decode()
