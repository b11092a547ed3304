"""Following the library's topics: a reader follows a topic from the library narrowed to it,
and is told once of each new study in it and each new case-study site about it, on the site
and by email as they chose."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.services import account_delete
from notices.models import Kind, Notice
from publications.models import TopicFollow
from publications.services import publication_publish
from tests.factories import PublicationFactory, SiteFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def follow(client, topic, action="follow"):
    return client.post(
        reverse("publications:follow_topic"),
        {"topic": topic.pk, "action": action, "next": "/publications/"},
    )


@pytest.fixture
def mercury():
    return TopicFactory(slug="mercury", name="Mercury", name_fr="Mercure")


def test_a_reader_follows_a_topic_from_the_library_and_hears_of_its_new_studies_once(
    committed, mercury
):
    reader = UserFactory(preferred_language="fr")
    client = signed_in(reader)
    page = client.get(reverse("publications:list"), {"topic": "mercury"}).content.decode()
    assert "Follow this topic" in page
    assert follow(client, mercury).status_code == 302
    page = client.get(reverse("publications:list"), {"topic": "mercury"}).content.decode()
    assert "Stop following this topic" in page

    study = PublicationFactory(title="Mercury in Kamituga", is_published=False, published_at=None)
    study.topics.add(mercury)
    with committed():
        publication_publish(publication=study)
    with committed():
        publication_publish(publication=study, published=False)
    with committed():
        publication_publish(publication=study)  # published again: not news again

    assert list(Notice.objects.filter(user=reader).values_list("kind", "target_id")) == [
        (Kind.NEW_STUDY, study.pk)
    ]
    [email] = [message for message in mail.outbox if message.to == [reader.email]]
    assert "Mercury in Kamituga" in email.body
    assert "Nouvelle étude" in email.subject
    listed = client.get(reverse("notices:list")).content.decode()
    assert "Mercury in Kamituga" in listed


def test_a_study_withdrawn_since_is_not_shown_and_unfollowing_stops_the_news(committed, mercury):
    reader = UserFactory()
    client = signed_in(reader)
    follow(client, mercury)
    study = PublicationFactory(is_published=False, published_at=None)
    study.topics.add(mercury)
    with committed():
        publication_publish(publication=study)
    publication_publish(publication=study, published=False)

    assert study.title not in client.get(reverse("notices:list")).content.decode()

    follow(client, mercury, action="unfollow")
    other = PublicationFactory(is_published=False, published_at=None)
    other.topics.add(mercury)
    with committed():
        publication_publish(publication=other)
    assert not Notice.objects.filter(user=reader, target_id=other.pk).exists()


def test_visitors_and_unconfirmed_people_cannot_follow(mercury):
    page = Client().get(reverse("publications:list"), {"topic": "mercury"}).content.decode()
    assert "Sign in to follow this topic" in page
    assert follow(Client(), mercury).status_code == 302  # to sign in
    unconfirmed = signed_in(UserFactory(confirmed=False))
    follow(unconfirmed, mercury)

    assert not TopicFollow.objects.exists()


def test_each_reader_sees_their_own_follow_button_on_a_shared_page(mercury):
    follower, other = UserFactory(), UserFactory()
    follow(signed_in(follower), mercury)
    url = reverse("publications:list") + "?topic=mercury"

    assert "Follow this topic" in signed_in(other).get(url).content.decode()
    assert "Stop following this topic" in signed_in(follower).get(url).content.decode()
    assert "Follow this topic" in signed_in(other).get(url).content.decode()


def test_a_new_site_is_told_once_to_the_followers_of_its_studies_topics(
    committed, admin_client, mercury
):
    reader, stranger = UserFactory(), UserFactory()
    follow(signed_in(reader), mercury)
    study = PublicationFactory()
    study.topics.add(mercury)
    site = SiteFactory(is_published=False, publications=[study])
    changelist = reverse("admin:casesites_site_changelist")

    for action in ("publish", "unpublish", "publish"):
        with committed():
            admin_client.post(changelist, {"action": action, ACTION_CHECKBOX_NAME: [site.pk]})

    assert list(Notice.objects.filter(user=reader).values_list("kind", "target_id")) == [
        (Kind.NEW_SITE, site.pk)
    ]
    assert not Notice.objects.filter(user=stranger).exists()
    opened = signed_in(reader).get(reverse("notices:open", args=[Notice.objects.get().pk]))
    assert opened.url == site.get_absolute_url()


def test_what_i_follow_lists_topics_and_a_deleted_account_follows_none(mercury):
    reader = UserFactory()
    client = signed_in(reader)
    follow(client, mercury)

    page = client.get(reverse("forums:subscribe")).content.decode()
    assert "Mercury" in page

    account_delete(user=reader)
    assert not TopicFollow.objects.exists()


@pytest.mark.parametrize("topic", ["", "abc", "99999999999999999999", "-1"])
def test_a_follow_form_naming_no_topic_is_a_404_and_changes_nothing(topic):
    response = signed_in(UserFactory()).post(
        reverse("publications:follow_topic"), {"topic": topic, "action": "follow"}
    )

    assert response.status_code == 404
    assert not TopicFollow.objects.exists()
