import pytest
from django.utils import timezone

from accounts.models import StakeholderGroup
from api.services import token_create, token_revoke
from forums.models import PostStatus, Suspension, Thread, ThreadKind, Visibility
from publications.models import DownloadCount
from tests.factories import (
    ForumFactory,
    MineralFactory,
    PostFactory,
    PublicationFactory,
    SiteFactory,
    ThreadFactory,
    TopicFactory,
    UserFactory,
)

API = "/api/v1/"


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """The limit has tests of its own (test_http.py); others read as much as they need."""
    settings.API_RATE_LIMIT = 0


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}


@pytest.fixture
def world(db):
    """Every state an object can be in, and a token for each kind of reader."""
    topic = TopicFactory(slug="mercury")
    mineral = MineralFactory(slug="gold")
    published = PublicationFactory(
        slug="published-study", title="Gold and mercury", authors=["Ada Published"]
    )
    published.topics.add(topic)
    DownloadCount.objects.create(publication=published, day="2026-03-02", count=3)
    DownloadCount.objects.create(publication=published, day="2026-03-20", count=4)
    DownloadCount.objects.create(publication=published, day="2026-04-01", count=1)
    draft = PublicationFactory(
        slug="draft-study",
        title="Gold draft",
        authors=["Zed Unpublished"],
        is_published=False,
        published_at=None,
    )
    draft.topics.add(topic)
    site = SiteFactory(slug="open-site", minerals=[mineral], publications=[published, draft])
    hidden_site = SiteFactory(slug="draft-site", minerals=[mineral], is_published=False)

    author = UserFactory(name="Author Person", email="author.secret@example.org")
    public = ForumFactory(slug="public-forum", site=site)
    members = ForumFactory(slug="members-forum", visibility=Visibility.MEMBERS, site=hidden_site)
    restricted = ForumFactory(
        slug="restricted-forum",
        visibility=Visibility.RESTRICTED,
        allowed_groups=[StakeholderGroup.GOVERNMENT],
    )
    thread = ThreadFactory(forum=public, author=author, title="Open thread")
    posts = {"opening": thread.posts.get()}
    for status in PostStatus.values:
        posts[status] = PostFactory(
            thread=thread, author=author, status=status, body=f"A {status} post"
        )
    pending_thread = ThreadFactory(
        forum=public, author=author, title="Waiting thread", opening__status=PostStatus.PENDING
    )
    members_thread = ThreadFactory(
        forum=members, author=author, title="Members thread", opening__body="A members post"
    )
    restricted_thread = ThreadFactory(
        forum=restricted,
        author=author,
        title="Restricted thread",
        opening__body="A restricted post",
    )
    consultation = ThreadFactory(
        forum=public, author=author, kind=ThreadKind.CONSULTATION, title="Consultation"
    )
    consultation.outcome = "The park's limits stay."
    consultation.closed_at = timezone.now()
    consultation.save()
    members_consultation = ThreadFactory(
        forum=members, author=author, kind=ThreadKind.CONSULTATION, title="Members consultation"
    )
    members_consultation.outcome = "Members agreed."
    members_consultation.closed_at = timezone.now()
    members_consultation.save()

    member = UserFactory(email="member.secret@example.org")
    insider = UserFactory(
        stakeholder_group=StakeholderGroup.GOVERNMENT, email="insider.secret@example.org"
    )
    suspended = UserFactory(email="suspended.secret@example.org")
    Suspension.objects.create(user=suspended, reason="Insults", until=None)
    revoked_holder = UserFactory(email="revoked.secret@example.org")
    _token, revoked = token_create(user=revoked_holder, name="old")
    token_revoke(user=revoked_holder, token_id=_token.pk)
    tokens = {
        "visitor": None,
        "member": token_create(user=member, name="member")[1],
        "insider": token_create(user=insider, name="insider")[1],
        "suspended": token_create(user=suspended, name="suspended")[1],
        "revoked": revoked,
        "unknown": "asmp_" + "x" * 43,
    }
    return {
        "studies": {"published": published, "draft": draft},
        "sites": {"published": site, "draft": hidden_site},
        "forums": {"public": public, "members": members, "restricted": restricted},
        "threads": {
            "public": thread,
            "pending": pending_thread,
            "members": members_thread,
            "restricted": restricted_thread,
            "consultation": Thread.objects.get(pk=consultation.pk),
            "members consultation": Thread.objects.get(pk=members_consultation.pk),
        },
        "posts": posts,
        "tokens": tokens,
        "emails": [
            "author.secret@example.org",
            "member.secret@example.org",
            "insider.secret@example.org",
            "suspended.secret@example.org",
            "revoked.secret@example.org",
        ],
    }


def read_all(client, path, headers=None, **params):
    """Every item of a list, following its cursors; and each page's raw text."""
    items, texts, cursor = [], [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get(API + path, query, **(headers or {}))
        assert response.status_code == 200, (path, response.content)
        texts.append(response.text)
        body = response.json()
        items += body["items"]
        cursor = body["next"]
        if cursor is None:
            return items, texts
