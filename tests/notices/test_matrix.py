"""Who is told of what, per role and forum visibility: followers and mentioned people alike are
told only of what they may read, and never before a post is approved."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import StakeholderGroup
from forums import services
from forums.models import Delivery, Subscription, Visibility
from notices.models import Kind, Notice
from tests.factories import ForumFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["unconfirmed", "miner", "ngo", "forum moderator", "moderators group", "suspended ngo"]
# role -> told in (public, members, restricted to NGOs)
TOLD = {
    "unconfirmed": (False, False, False),
    "miner": (True, True, False),
    "ngo": (True, True, True),
    "forum moderator": (True, True, True),
    "moderators group": (True, True, True),
    "suspended ngo": (True, True, True),
}
VISIBILITIES = [Visibility.PUBLIC, Visibility.MEMBERS, Visibility.RESTRICTED]


def someone(role, forum, n, handle):
    joined = timezone.now() - datetime.timedelta(days=30)
    group = StakeholderGroup.NGO if "ngo" in role else StakeholderGroup.MINER
    user = UserFactory(
        stakeholder_group=group,
        date_joined=joined,
        confirmed=role != "unconfirmed",
        groups=["Moderators"] if role == "moderators group" else None,
        handle=handle,
    )
    if role == "forum moderator":
        forum.moderators.add(user)
    if role == "suspended ngo":
        user.suspensions.create(reason="Insults.")
    return user


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_followers_and_mentioned_people_are_told_only_where_they_may_read(
    committed, settings, visibility
):
    settings.FORUM_MENTIONS_PER_POST = len(ROLES)
    forum = ForumFactory(visibility=visibility, allowed_groups=[StakeholderGroup.NGO])
    writer = UserFactory(
        stakeholder_group=StakeholderGroup.NGO,
        date_joined=timezone.now() - datetime.timedelta(days=30),
    )
    thread = ThreadFactory(forum=forum, author=UserFactory(stakeholder_group=StakeholderGroup.NGO))
    followers, mentioned = {}, {}
    for n, role in enumerate(ROLES):
        followers[role] = someone(role, forum, n, f"follower{n}x")
        Subscription.objects.create(user=followers[role], forum=forum, delivery=Delivery.SITE)
        mentioned[role] = someone(role, forum, n, f"named{n}x")
    body = " ".join(f"@{user.handle}" for user in mentioned.values())
    with committed():
        services.post_reply(author=writer, thread=thread, body=body[:4000], language="en")

    column = VISIBILITIES.index(visibility)
    for role in ROLES:
        expected = TOLD[role][column]
        follows = Notice.objects.filter(user=followers[role], kind=Kind.FOLLOWED).exists()
        named = Notice.objects.filter(user=mentioned[role], kind=Kind.MENTION).exists()
        assert (role, follows) == (role, expected)
        assert (role, named) == (role, expected)
