"""Who may see and do what in the dialogue: every role against every kind of forum, thread and
post, through the real URLs. Each cell of the table below is asserted."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StakeholderGroup
from forums.models import Post, PostStatus, Suspension, Thread, Visibility
from tests.factories import ForumFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "visitor",
    "unconfirmed",
    "stakeholder",
    "verified",
    "outsider",
    "suspended",
    "forum_moderator",
    "moderator",
    "superuser",
)

# What each role gets, in ROLES order. 200 and 404 are pages; "login" a redirect to sign in;
# 403 refused; "saved" a post written; "shown"/"-" whether a post's text is on the thread page.
MATRIX = {
    "view public forum": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "view members forum": (404, 404, 200, 200, 200, 200, 200, 200, 200),
    "view restricted forum": (404, 404, 200, 200, 404, 200, 404, 200, 200),
    "view restricted thread": (404, 404, 200, 200, 404, 200, 404, 200, 200),
    "view pending thread": (404, 404, 404, 404, 404, 404, 200, 200, 200),
    "see approved post": ("shown",) * 9,
    "see pending post": ("-", "-", "-", "-", "-", "-", "shown", "shown", "shown"),
    "see hidden post": ("-", "-", "-", "-", "-", "-", "shown", "shown", "shown"),
    "see rejected post": ("-", "-", "-", "-", "-", "-", "shown", "shown", "shown"),
    "start thread in public forum": ("login", 403, 200, 200, 200, 403, 200, 200, 200),
    "start thread in restricted forum": (404, 404, 200, 200, 404, 403, 404, 200, 200),
    "reply to open thread": (
        "login",
        403,
        "saved",
        "saved",
        "saved",
        403,
        "saved",
        "saved",
        "saved",
    ),
    "reply to locked thread": ("login", 403, 403, 403, 403, 403, "saved", "saved", "saved"),
    "reply to closed consultation": ("login", 403, 403, 403, 403, 403, "saved", "saved", "saved"),
    "edit another's post": ("login", 403, 403, 403, 403, 403, 200, 200, 200),
    # permissions.can_flag decides both the flag link on the thread page and the flag page.
    "flag link on another's post": (
        "-",
        "-",
        "shown",
        "shown",
        "shown",
        "-",
        "shown",
        "shown",
        "shown",
    ),
    "flag another's post": ("login", 403, 200, 200, 200, 403, 200, 200, 200),
    "flag another's restricted post": (404, 404, 200, 200, 404, 403, 404, 200, 200),
    # Search shows approved posts of the forums one may see, to moderators too.
    "search finds a restricted post": (
        "-",
        "-",
        "found",
        "found",
        "-",
        "found",
        "-",
        "found",
        "found",
    ),
    "search finds a public post": ("found",) * 9,
    "search finds a pending post": ("-",) * 9,
    # Feeds are read anonymously: only public forums have one, whoever asks.
    "feed of public forum": (200,) * 9,
    "feed of members forum": (404,) * 9,
    "feed of restricted forum": (404,) * 9,
}


@pytest.fixture
def world():
    """Forums of each visibility, threads and posts in every state, and one user per role."""
    author = UserFactory(name="Author")
    public = ForumFactory(slug="public-forum")
    members = ForumFactory(slug="members-forum", visibility=Visibility.MEMBERS)
    restricted = ForumFactory(
        slug="restricted-forum",
        visibility=Visibility.RESTRICTED,
        allowed_groups=[StakeholderGroup.MINER],
    )
    thread = ThreadFactory(forum=public, author=author, title="Open thread")
    texts = {}
    for status in PostStatus.values:
        post = PostFactory(thread=thread, author=author, status=status, body=f"A {status} post")
        texts[status] = post
    locked = ThreadFactory(forum=public, author=author, is_locked=True)
    consultation = ThreadFactory(
        forum=public, author=author, kind="consultation", context="What should change?"
    )
    Thread.objects.filter(pk=consultation.pk).update(closed_at=timezone.now(), outcome="Done.")
    pending = ThreadFactory(forum=public, author=author, opening__status=PostStatus.PENDING)
    restricted_thread = ThreadFactory(
        forum=restricted, author=author, opening__body="Secret zoning plan for the miners"
    )

    suspended = UserFactory()
    Suspension.objects.create(user=suspended, reason="Insults", until=None)
    forum_moderator = UserFactory(stakeholder_group=StakeholderGroup.NGO)
    public.moderators.add(forum_moderator)
    users = {
        "visitor": None,
        "unconfirmed": UserFactory(confirmed=False),
        "stakeholder": UserFactory(),
        "verified": UserFactory(affiliation_verified_at=timezone.now()),
        "outsider": UserFactory(stakeholder_group=StakeholderGroup.NGO),
        "suspended": suspended,
        "forum_moderator": forum_moderator,
        "moderator": UserFactory(groups=["Moderators"], is_staff=True),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    return {
        "forums": {"public": public, "members": members, "restricted": restricted},
        "thread": thread,
        "posts": texts,
        "locked": locked,
        "consultation": Thread.objects.get(pk=consultation.pk),
        "pending": pending,
        "restricted_thread": restricted_thread,
        "users": users,
    }


def outcome_of(client, world, case):
    forums = world["forums"]

    def status(url):
        response = client.get(url)
        if response.status_code == 302 and "/accounts/login/" in response["Location"]:
            return "login"
        return response.status_code

    def reply(thread):
        before = Post.objects.count()
        url = reverse("forums:reply", kwargs={"forum": thread.forum.slug, "pk": thread.pk})
        body = f"My view on thread {thread.pk}."
        response = client.post(url, {"body": body, "language": "en"})
        if response.status_code == 302 and "/accounts/login/" in response["Location"]:
            return "login"
        if Post.objects.count() == before + 1:
            return "saved"
        return response.status_code

    def shown(status):
        text = client.get(world["thread"].get_absolute_url()).text
        return "shown" if f"A {status} post" in text else "-"

    if case.startswith("view ") and case.endswith(" forum"):
        return status(forums[case.split()[1]].get_absolute_url())
    if case == "view restricted thread":
        return status(world["restricted_thread"].get_absolute_url())
    if case == "view pending thread":
        return status(world["pending"].get_absolute_url())
    if case.startswith("see "):
        return shown(case.split()[1])
    if case.startswith("start thread in "):
        forum = forums[case.split()[3]]
        return status(reverse("forums:thread_new", kwargs={"slug": forum.slug}))
    if case == "reply to open thread":
        return reply(world["thread"])
    if case == "reply to locked thread":
        return reply(world["locked"])
    if case == "reply to closed consultation":
        return reply(world["consultation"])
    if case.startswith("search finds "):
        words = {
            "restricted": "secret zoning",
            "public": "approved post",
            "pending": "pending post",
        }
        response = client.get(reverse("forums:search"), {"q": words[case.split()[3]]})
        wanted = {
            "restricted": world["restricted_thread"].posts.get(),
            "public": world["posts"]["approved"],
            "pending": world["posts"]["pending"],
        }[case.split()[3]]
        return "found" if wanted in response.context["posts"] else "-"
    if case.startswith("feed of "):
        return status(reverse("forums:feed", kwargs={"slug": forums[case.split()[2]].slug}))
    if case == "flag link on another's post":
        flag = reverse("forums:flag", kwargs={"pk": world["posts"]["approved"].pk})
        return "shown" if flag in client.get(world["thread"].get_absolute_url()).text else "-"
    if case == "flag another's post":
        return status(reverse("forums:flag", kwargs={"pk": world["posts"]["approved"].pk}))
    if case == "flag another's restricted post":
        post = world["restricted_thread"].posts.get()
        return status(reverse("forums:flag", kwargs={"pk": post.pk}))
    if case == "edit another's post":
        return status(reverse("forums:post_edit", kwargs={"pk": world["posts"]["approved"].pk}))
    raise AssertionError(case)


@pytest.mark.parametrize("role", ROLES)
def test_the_permissions_matrix(client, world, settings, role):
    settings.FORUM_SECONDS_BETWEEN_POSTS = 0
    user = world["users"][role]
    if user is not None:
        user.date_joined = timezone.now() - datetime.timedelta(days=3)
        user.save()
        client.force_login(user)
    column = ROLES.index(role)

    got = {case: outcome_of(client, world, case) for case in MATRIX}

    assert got == {case: row[column] for case, row in MATRIX.items()}


def test_an_author_sees_their_own_posts_and_why_but_not_others_pending_ones(client, world):
    from forums import moderation

    hidden = world["posts"]["approved"]
    moderation.post_decide(
        moderator=world["users"]["moderator"], post=hidden, decision="hide", reason="Off-topic here"
    )
    client.force_login(hidden.author)
    other = PostFactory(thread=world["thread"], status=PostStatus.PENDING, body="Someone else's")

    text = client.get(world["thread"].get_absolute_url()).text

    assert "A pending post" in text
    assert "Awaiting moderation" in text
    assert "A approved post" in text
    assert "Moderator's reason: Off-topic here" in text
    assert "Only you and the moderators see this post." in text
    assert other.body not in text
    client.force_login(world["users"]["stakeholder"])
    assert "A approved post" not in client.get(world["thread"].get_absolute_url()).text


def test_a_restricted_forum_does_not_exist_for_outsiders(client, world):
    outsider = world["users"]["outsider"]
    client.force_login(outsider)
    restricted = world["forums"]["restricted"]

    response = client.get(reverse("forums:index"))
    index, site_less_counts = response.text, response.context["theme_forums"]

    assert restricted.name not in index
    assert restricted not in site_less_counts
    post = world["restricted_thread"].posts.get()
    assert client.get(post.get_absolute_url()).status_code == 404
    assert client.get(reverse("forums:post_edit", kwargs={"pk": post.pk})).status_code == 404


def test_a_suspension_that_has_ended_or_was_lifted_no_longer_counts(client, world):
    suspended = world["users"]["suspended"]
    Suspension.objects.filter(user=suspended).update(lifted_at=timezone.now())
    Suspension.objects.create(
        user=suspended, reason="Old", until=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(suspended)

    url = reverse("forums:thread_new", kwargs={"slug": world["forums"]["public"].slug})

    assert client.get(url).status_code == 200
