"""Flagging posts: once per reader, never one's own, a note when the reason is "other"; enough
readers hide a post everywhere until a moderator restores it. A suspended reader is told why."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, ModerationLogEntry
from forums import moderation
from forums.models import (
    Flag,
    FlagReason,
    PostStatus,
    Suspension,
    Visibility,
)
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
THANKS = "Thank you: moderators will look at it."


@pytest.fixture
def forum():
    return ForumFactory(slug="kahuzi", name="Kahuzi-Biega")


@pytest.fixture
def thread(forum):
    return ThreadFactory(forum=forum, title="Gold traders in Shabunda")


@pytest.fixture
def post(thread):
    return PostFactory(thread=thread, body="Buy cheap cinnabar at zanzibarmercury dot example.")


def flag_url(post):
    return reverse("forums:flag", kwargs={"pk": post.pk})


def test_a_reader_flags_a_post_once_and_is_thanked(client, post):
    reader = UserFactory()
    client.force_login(reader)

    page = client.get(post.thread.get_absolute_url()).text
    assert f'href="{flag_url(post)}"' in page
    form = client.get(flag_url(post))
    assert form.status_code == 200
    assert "Abusive or threatening" in form.text
    assert 'type="radio"' in form.text

    response = client.post(flag_url(post), {"reason": FlagReason.SPAM}, follow=True)

    assert response.redirect_chain[0][1] == 302
    assert THANKS in response.text
    flag = Flag.objects.get()
    assert (flag.post, flag.user, flag.reason) == (post, reader, FlagReason.SPAM)

    again = client.post(flag_url(post), {"reason": FlagReason.ABUSIVE})

    assert again.status_code == 200
    assert "You have flagged this post already." in again.text
    assert Flag.objects.count() == 1


def test_no_one_flags_their_own_post_nor_sees_a_flag_link_on_it(client, post):
    client.force_login(post.author)

    page = client.get(post.thread.get_absolute_url()).text
    assert f'href="{flag_url(post)}"' not in page
    assert f'href="{flag_url(post.thread.posts.first())}"' in page  # the opening, by another

    response = client.post(flag_url(post), {"reason": FlagReason.SPAM})

    assert response.status_code == 200
    assert "You cannot flag your own post." in response.text
    assert not Flag.objects.exists()


def test_the_reason_other_needs_a_note(client, post):
    client.force_login(UserFactory())

    response = client.post(flag_url(post), {"reason": FlagReason.OTHER, "note": "  "})

    assert response.status_code == 200
    assert "Say what is wrong with this post." in response.text
    assert not Flag.objects.exists()

    client.post(flag_url(post), {"reason": FlagReason.OTHER, "note": "Sells mercury."})
    assert Flag.objects.get().note == "Sells mercury."


def test_only_confirmed_readers_who_see_the_post_and_are_not_suspended_may_flag(client, post):
    response = client.get(flag_url(post))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f'href="{flag_url(post)}"' not in client.get(post.thread.get_absolute_url()).text

    client.force_login(UserFactory(confirmed=False))
    assert client.get(flag_url(post)).status_code == 403
    assert client.post(flag_url(post), {"reason": FlagReason.SPAM}).status_code == 403

    suspended = UserFactory()
    Suspension.objects.create(user=suspended, reason="Insults")
    client.force_login(suspended)
    assert client.get(flag_url(post)).status_code == 403
    assert client.post(flag_url(post), {"reason": FlagReason.SPAM}).status_code == 403
    assert f'href="{flag_url(post)}"' not in client.get(post.thread.get_absolute_url()).text

    restricted = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=["government"])
    hidden_away = PostFactory(thread=ThreadFactory(forum=restricted))
    client.force_login(UserFactory())
    assert client.get(flag_url(hidden_away)).status_code == 404
    assert client.post(flag_url(hidden_away), {"reason": FlagReason.SPAM}).status_code == 404
    assert not Flag.objects.exists()


def seen_everywhere(client, forum, post):
    """Whether a visitor finds the post on its thread, in search and in the feed, and whether
    the forum counts it."""
    client.logout()
    on_page = post.body in client.get(post.thread.get_absolute_url()).text
    found = client.get(reverse("forums:search"), {"q": "zanzibarmercury"})
    in_search = post in found.context["posts"]
    feed = ET.fromstring(client.get(reverse("forums:feed", kwargs={"slug": forum.slug})).content)
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    in_feed = any(href.endswith(post.get_absolute_url()) for href in links)
    forum.refresh_from_db()
    return on_page, in_search, in_feed, forum.post_count


def test_three_readers_hide_a_post_everywhere_until_a_moderator_restores_it(
    client, forum, post, committed
):
    assert seen_everywhere(client, forum, post) == (True, True, True, 2)
    readers = UserFactory.create_batch(3)

    for reader in readers[:2]:
        client.force_login(reader)
        client.post(flag_url(post), {"reason": FlagReason.SPAM})
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert seen_everywhere(client, forum, post) == (True, True, True, 2)

    client.force_login(readers[2])
    response = client.post(flag_url(post), {"reason": FlagReason.ABUSIVE}, follow=True)

    assert THANKS in response.text
    assert response.request["PATH_INFO"] == post.thread.get_absolute_url()
    post.refresh_from_db()
    assert post.status == PostStatus.HIDDEN
    assert seen_everywhere(client, forum, post) == (False, False, False, 1)
    entry = ModerationLogEntry.objects.get(action=Action.AUTO_HIDE)
    assert (entry.target_type, entry.target_id, entry.actor) == ("post", post.pk, None)

    moderator = UserFactory(groups=["Moderators"], is_staff=True)
    with committed():
        moderation.post_decide(moderator=moderator, post=post, decision="restore", reason="")

    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert seen_everywhere(client, forum, post) == (True, True, True, 2)
    assert not post.flags.filter(resolved_at__isnull=True).exists()


def test_a_suspended_reader_is_told_why_and_until_when(client, forum, thread):
    user = UserFactory()
    suspension = Suspension.objects.create(user=user, reason="Repeated insults")
    client.force_login(user)

    for url in (thread.get_absolute_url(), forum.get_absolute_url()):
        page = client.get(url).text
        assert "Your account is suspended until further notice: Repeated insults" in page
    assert "Your account is suspended." in client.get(thread.get_absolute_url()).text
    assert "Confirm your email address" not in client.get(thread.get_absolute_url()).text

    suspension.until = timezone.now() + datetime.timedelta(days=7)
    suspension.save()
    client.force_login(user)  # a fresh request: the suspension is looked up again
    page = client.get(thread.get_absolute_url()).text
    assert "Your account is suspended until " in page
    assert ": Repeated insults" in page
    assert "until further notice" not in page

    suspension.lifted_at = timezone.now()
    suspension.save()
    page = client.get(thread.get_absolute_url()).text
    assert "Your account is suspended" not in page
    assert "Repeated insults" not in page
