"""Participation counts every post of the forums read: counted once per change of the dialogue,
never stale (the page cache is on in every test, as in production)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Action
from forums.models import PostStatus
from forums.moderation import post_decide
from tests.factories import PostFactory, ThreadFactory, UserFactory

from .conftest import API

pytestmark = pytest.mark.django_db


def participation(client):
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(API + "participation")
    counted = any("COUNT(DISTINCT" in query["sql"].upper() for query in queries)
    return answer.json(), counted


def test_participation_is_counted_once_until_the_dialogue_or_a_person_changes(client):
    thread = ThreadFactory()
    ngo = UserFactory(stakeholder_group="ngo", country="LR")
    PostFactory(thread=thread, author=ngo)

    first, counted_first = participation(client)
    again, counted_again = participation(client)
    assert counted_first
    assert not counted_again
    ngos = {"stakeholder_group": "ngo", "country": "LR", "people": 1, "posts": 1}
    assert again == first
    assert ngos in first

    waiting = PostFactory(thread=thread, author=ngo, status=PostStatus.PENDING)
    moderator = UserFactory(groups=["Moderators"], is_staff=True)
    post_decide(moderator=moderator, post=waiting, decision=Action.APPROVE)
    after_approval, counted = participation(client)
    assert counted
    assert {**ngos, "posts": 2} in after_approval

    ngo.country = "SL"
    ngo.save()
    moved = participation(client)[0]
    assert {**ngos, "country": "SL", "posts": 2} in moved
    assert all(row["country"] != "LR" for row in moved)
