"""Following by default: whoever starts a thread or replies in one follows it and hears of the
replies, unless their profile says not to."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from forums import services
from forums.models import Delivery, PostStatus, Subscription, Visibility
from tests.factories import ForumFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


def person(**kwargs):
    kwargs.setdefault("date_joined", timezone.now() - datetime.timedelta(days=30))
    return UserFactory(**kwargs)


def start(author, forum, title="Where may we dig?"):
    return services.thread_start(
        author=author, forum=forum, title=title, body="Near the river?", language="fr"
    )


def reply(thread, author, body="Not inside the reserve.", now=None):
    return services.post_reply(author=author, thread=thread, body=body, language="en", now=now)


def followed(user):
    return {(s.thread_id, s.delivery) for s in Subscription.objects.filter(user=user)}


def test_the_miner_who_asks_hears_the_answer(committed):
    forum = ForumFactory()
    miner = person(name="Mapendo Kasongo", preferred_language="fr")
    ngo = person(name="Grace Osei")
    thread = start(miner, forum)

    with committed():
        reply(thread, ngo)

    assert followed(miner) == {(thread.pk, Delivery.IMMEDIATE)}
    assert followed(ngo) == {(thread.pk, Delivery.IMMEDIATE)}
    assert [message.to for message in mail.outbox] == [[miner.email]]
    assert "Nouveau message" in mail.outbox[0].subject
    mail.outbox.clear()

    with committed():
        reply(thread, miner, body="Merci.", now=timezone.now() + datetime.timedelta(minutes=1))

    assert [message.to for message in mail.outbox] == [[ngo.email]]  # never told of one's own


def test_nobody_follows_what_they_write_when_their_profile_says_not_to(committed):
    forum = ForumFactory()
    asker = person(follows_what_they_write=False)
    thread = start(asker, forum)

    with committed():
        reply(thread, person())

    assert followed(asker) == set()
    assert mail.outbox == []


def test_a_way_of_following_already_chosen_stays():
    forum = ForumFactory()
    reader = person()
    thread = start(person(), forum)
    services.subscription_set(user=reader, target=thread, delivery=Delivery.DAILY)

    reply(thread, reader)

    assert followed(reader) == {(thread.pk, Delivery.DAILY)}


def test_a_post_that_waits_for_a_moderator_follows_its_thread_too(settings):
    thread = ThreadFactory(forum=ForumFactory())
    settings.FORUM_TRUSTED_AFTER_POSTS = 3
    newcomer = person()

    post = reply(thread, newcomer)

    assert post.status == PostStatus.PENDING
    assert followed(newcomer) == {(thread.pk, Delivery.IMMEDIATE)}


def test_a_reply_to_a_restricted_forum_is_followed_by_its_members_only():
    forum = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=["ngo"])
    member = person(stakeholder_group="ngo")
    thread = start(member, forum)

    assert followed(member) == {(thread.pk, Delivery.IMMEDIATE)}
    with pytest.raises(PermissionDenied):
        reply(thread, person(stakeholder_group="government"))
    assert Subscription.objects.count() == 1


def test_the_profile_turns_it_off(client):
    reader = person()
    client.force_login(reader)
    page = client.get(reverse("accounts:profile_edit"))
    assert 'name="follows_what_they_write"' in page.text
    assert "checked" in page.text.split('name="follows_what_they_write"')[1].split(">")[0]

    data = {
        "name": reader.name,
        "stakeholder_group": reader.stakeholder_group,
        "organisation": reader.organisation,
        "country": reader.country,
        "preferred_language": reader.preferred_language,
    }  # the box left unticked
    response = client.post(reverse("accounts:profile_edit"), data)

    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.follows_what_they_write is False
