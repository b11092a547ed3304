"""Signed-in readers' shared pages (core.memberpages): made once for an audience, with each
reader's own token and subscription form; never a page of someone else's, never stale."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import StakeholderGroup, User
from audit.models import Action
from core.memberpages import HIT, MemberPageCacheMiddleware, audience_of
from core.pagecache import HIT_HEADER
from forums import moderation, permissions, services
from forums.models import Delivery, PostStatus, Visibility
from publications.models import Publication
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def signed_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def shared(user, url, **kwargs):
    """What this reader gets after another reader of their audience has filled the cache."""
    signed_in(UserFactory(stakeholder_group=user.stakeholder_group)).get(url)
    return signed_in(user, **kwargs).get(url)


def test_readers_share_a_page_and_each_posts_with_their_own_token(thread):
    url = thread.get_absolute_url()
    first, second = (signed_in(UserFactory(), enforce_csrf_checks=True) for _ in range(2))

    made = first.get(url)
    kept = second.get(url)

    assert made.headers.get(HIT_HEADER) is None
    assert kept.headers.get(HIT_HEADER) == HIT
    assert "private" in kept["Cache-Control"]
    assert "\ue000" not in kept.text
    made_tokens, kept_tokens = set(TOKEN.findall(made.text)), set(TOKEN.findall(kept.text))
    assert len(made_tokens) == len(kept_tokens) == 1  # one for the forms to sign out, follow, reply
    assert made_tokens.isdisjoint(kept_tokens)
    response = second.post(
        f"{url}reply/",
        {
            "body": "Mercury is sold openly.",
            "language": "en",
            "csrfmiddlewaretoken": kept_tokens.pop(),
        },
    )
    assert response.status_code == 302
    assert thread.posts.filter(body="Mercury is sold openly.").exists()


def test_what_a_reader_follows_is_theirs_and_shown_at_once(thread):
    url = thread.get_absolute_url()
    follower, other = UserFactory(), UserFactory()
    services.subscription_set(user=follower, target=thread, delivery=Delivery.DAILY)

    theirs = shared(follower, url)
    others = signed_in(other).get(url)

    assert theirs.headers.get(HIT_HEADER) == others.headers.get(HIT_HEADER) == HIT
    assert "You follow this thread" in theirs.text
    assert f'id="delivery-thread-{thread.pk}-daily" checked' in theirs.text
    assert "Follow this thread" in others.text
    assert "You follow this thread" not in others.text

    services.subscription_remove(user=follower, target=thread)
    services.subscription_set(user=other, target=thread, delivery=Delivery.IMMEDIATE)

    assert "You follow this thread" not in signed_in(follower).get(url).text
    assert "You follow this thread" in signed_in(other).get(url).text


def test_an_author_gets_their_own_page_and_nobody_else_gets_it(thread, reply):
    url = thread.get_absolute_url()
    edit_link = f'href="/en/forums/posts/{reply.pk}/edit/"'
    flag_link = f'href="/en/forums/posts/{reply.pk}/flag/"'

    own = signed_in(reply.author).get(url)  # made first, for the author: never kept
    reader = signed_in(UserFactory()).get(url)
    own_again = signed_in(reply.author).get(url)  # the readers' page is kept now: not for them

    assert reader.headers.get(HIT_HEADER) is None
    for page in (own, own_again):
        assert page.headers.get(HIT_HEADER) is None
        assert edit_link in page.text
        assert flag_link not in page.text
    assert edit_link not in reader.text
    assert flag_link in reader.text
    assert signed_in(UserFactory()).get(url).headers.get(HIT_HEADER) == HIT


@pytest.mark.parametrize(
    "make",
    [
        lambda thread, hidden: UserFactory(groups=["Moderators"], is_staff=True),
        lambda thread, hidden: UserFactory(is_superuser=True),
        lambda thread, hidden: thread.forum.moderators.add(user := UserFactory()) or user,
        lambda thread, hidden: hidden.author,
    ],
    ids=["moderator", "superuser", "forum moderator", "own post hidden"],
)
def test_readers_with_a_role_or_a_post_not_shown_get_pages_of_their_own(thread, make):
    """Each of them sees the hidden post, which the readers of the shared page do not."""
    url = thread.get_absolute_url()
    hidden = PostFactory(thread=thread, status=PostStatus.HIDDEN, body="Hidden by a moderator.")
    signed_in(UserFactory()).get(url)
    reader = make(thread, hidden)

    page = signed_in(reader).get(url)

    assert page.headers.get(HIT_HEADER) is None
    assert "Hidden by a moderator." in page.text
    assert "Hidden by a moderator." not in signed_in(UserFactory()).get(url).text


def test_a_suspension_is_shown_at_once_and_lifting_it_shares_pages_again(thread, moderator):
    url = thread.get_absolute_url()
    reader = UserFactory()
    assert shared(reader, url).headers.get(HIT_HEADER) == HIT

    suspension = moderation.user_suspend(moderator=moderator, user=reader, reason="Insults")
    suspended = signed_in(reader).get(url)

    assert suspended.headers.get(HIT_HEADER) is None
    assert "Your account is suspended until further notice: Insults" in suspended.text
    assert 'action="/forums/' not in suspended.text.split('id="reply"')[1]  # no reply form
    assert "suspended" not in signed_in(UserFactory()).get(url).text

    moderation.suspension_lift(moderator=moderator, suspension=suspension)
    assert signed_in(reader).get(url).headers.get(HIT_HEADER) == HIT


def test_joining_a_group_ends_shared_pages_at_once(thread):
    url = thread.get_absolute_url()
    reader = UserFactory()
    assert shared(reader, url).headers.get(HIT_HEADER) == HIT

    reader.groups.add(Group.objects.get(name="Moderators"))

    assert signed_in(reader).get(url).headers.get(HIT_HEADER) is None


def test_a_post_decided_is_shown_at_once_to_readers_of_a_shared_page(thread, reply, moderator):
    url = thread.get_absolute_url()
    reader = UserFactory()
    assert "The buyers come on Mondays." in shared(reader, url).text

    moderation.post_decide(moderator=moderator, post=reply, decision=Action.HIDE, reason="Spam")

    page = signed_in(reader).get(url)
    assert "The buyers come on Mondays." not in page.text


def test_restricted_forums_never_reach_outsiders_through_a_shared_page():
    forum = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=[StakeholderGroup.NGO])
    secret = ThreadFactory(forum=forum, title="The buyers' names")
    members = ForumFactory(visibility=Visibility.MEMBERS)
    for_members = ThreadFactory(forum=members, title="For members")
    ngo, miner = (UserFactory(stakeholder_group=group) for group in ("ngo", "miner"))
    unconfirmed = UserFactory(confirmed=False)

    assert signed_in(ngo).get(secret.get_absolute_url()).status_code == 200
    assert forum.name in signed_in(ngo).get("/en/forums/").text
    assert signed_in(miner).get(secret.get_absolute_url()).status_code == 404
    assert signed_in(miner).get(forum.get_absolute_url()).status_code == 404
    assert forum.name not in signed_in(miner).get("/en/forums/").text
    assert signed_in(miner).get(for_members.get_absolute_url()).status_code == 200
    assert signed_in(unconfirmed).get(for_members.get_absolute_url()).status_code == 404


def test_french_and_english_readers_get_their_own_language(thread):
    """Each language at its own address (/fr/…), kept apart from the other's."""
    url = thread.get_absolute_url()
    with translation.override("fr"):
        french_url = thread.get_absolute_url()
    signed_in(UserFactory()).get(url)
    french = signed_in(UserFactory())
    french.cookies["django_language"] = "fr"

    page = french.get(french_url)

    assert page.headers.get(HIT_HEADER) is None
    assert '<html lang="fr">' in page.text
    assert '<html lang="fr">' in french.get(french_url).text
    assert '<html lang="en">' in french.get(url).text  # the address, not the cookie


def test_visitors_and_readers_never_get_each_others_pages(thread):
    url = thread.get_absolute_url()
    reader = signed_in(UserFactory())
    reader.get(url)
    Client().get(url)

    visitor, member = Client().get(url), reader.get(url)

    assert visitor.headers.get(HIT_HEADER) == "hit"
    assert member.headers.get(HIT_HEADER) == HIT
    assert "Sign out" not in visitor.text
    assert "csrfmiddlewaretoken" not in visitor.text
    assert "Sign out" in member.text


def test_a_reader_with_a_message_waiting_gets_it_and_nobody_else_does(thread):
    url = thread.get_absolute_url()
    follower = signed_in(UserFactory())
    follower.get(url)
    said = "you will receive an email for each new post."

    follower.post(
        "/en/forums/subscriptions/", {"thread": thread.pk, "action": "subscribe", "next": url}
    )
    with_message = follower.get(url)
    others = signed_in(UserFactory()).get(url)

    assert with_message.headers.get(HIT_HEADER) is None
    assert said in with_message.text
    assert others.headers.get(HIT_HEADER) == HIT
    assert said not in others.text


def test_a_shared_page_costs_the_same_few_queries_however_long_the_thread(thread):
    url = thread.get_absolute_url()

    def queries_of_a_shared_page():
        shared(UserFactory(), url)
        reader = signed_in(UserFactory())
        reader.get(url)  # the reader's audience and follows are kept from here
        with CaptureQueriesContext(connection) as queries:
            assert reader.get(url).headers.get(HIT_HEADER) == HIT
        return len(queries)

    few = queries_of_a_shared_page()
    PostFactory.create_batch(15, thread=thread)
    many = queries_of_a_shared_page()

    # The session and the user: nothing of the page, nor of the reader's own parts (the
    # header's unread count is kept with their facts, their read mark in the cache).
    assert few == many <= 2


def test_readers_given_one_audience_have_the_same_rights_everywhere(moderator):
    """The audience stands for everything forums.permissions decides from the reader: two
    readers with one audience are allowed exactly the same things, so one page fits both."""
    forums = [
        ForumFactory(visibility=Visibility.PUBLIC),
        ForumFactory(visibility=Visibility.MEMBERS),
        ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=[StakeholderGroup.NGO]),
    ]
    threads = [ThreadFactory(forum=forum) for forum in forums]
    threads.append(ThreadFactory(forum=forums[0], is_locked=True))
    posts = [PostFactory(thread=thread) for thread in threads]
    ordinary = [
        UserFactory(stakeholder_group=group, confirmed=confirmed)
        for group in (StakeholderGroup.MINER, StakeholderGroup.NGO)
        for confirmed in (True, False)
        for _ in range(2)
    ]
    suspended = UserFactory()
    moderation.user_suspend(moderator=moderator, user=suspended, reason="Insults")
    named = UserFactory()
    forums[2].members.add(named)
    personal = [
        moderator,
        UserFactory(is_superuser=True),
        UserFactory(is_staff=True),
        suspended,
        named,
        PostFactory(thread=threads[0], status=PostStatus.PENDING).author,
        ThreadFactory(forum=forums[0], opening__status=PostStatus.PENDING).author,
    ]

    def audience(user):
        return audience_of(User.objects.get(pk=user.pk))

    def rights(user):
        user = User.objects.get(pk=user.pk)
        return (
            [permissions.can_view_forum(user, forum) for forum in forums],
            [permissions.can_start_thread(user, forum) for forum in forums],
            [permissions.can_subscribe(user, forum) for forum in forums],
            [permissions.can_view_thread(user, thread) for thread in threads],
            [permissions.can_reply(user, thread) for thread in threads],
            [permissions.can_facilitate(user, thread) for thread in threads],
            [permissions.can_edit_post(user, post) for post in posts],
            [permissions.can_flag(user, post) for post in posts],
            list(Publication.objects.visible_to(user).values_list("pk", flat=True)),
        )

    assert [audience(user) for user in personal] == [None] * len(personal)
    by_audience = {}
    for user in ordinary:
        by_audience.setdefault(audience(user), []).append(rights(user))
    assert None not in by_audience
    assert len(by_audience) == 4
    for same_audience in by_audience.values():
        assert len(same_audience) == 2
        assert same_audience[0] == same_audience[1]


def test_text_that_looks_like_a_hole_is_shown_as_written(thread):
    """Holes are marked with a secret drawn from SECRET_KEY: nobody can type one into a post."""
    lookalike = "\ue000abc:csrf:\ue001 and \ue000abc:subscription:thread:1\ue001"
    PostFactory(thread=thread, body=lookalike)

    page = shared(UserFactory(), thread.get_absolute_url())

    assert page.headers.get(HIT_HEADER) == HIT
    assert lookalike in page.text
    assert len(TOKEN.findall(page.text)) == 3  # the forms to sign out, follow and reply


def test_a_page_that_used_a_csp_nonce_or_showed_messages_is_never_kept(rf, thread):
    middleware = MemberPageCacheMiddleware(lambda request: None)
    request = rf.get(thread.get_absolute_url())
    request.user = UserFactory()
    request._page_cache_versions = {"page-version:content": "1"}
    page = HttpResponse("A page")
    assert middleware.storable(request, page)

    request._csp_nonce = "abc"
    assert not middleware.storable(request, page)
    del request._csp_nonce
    request._messages = ["A message shown on this page"]
    assert not middleware.storable(request, page)
