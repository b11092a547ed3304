"""The links in every email (change one's interests, unsubscribe, RFC 8058's one click) and a
stakeholder's one-click subscription from their profile: each acts on its own reader only, and
a link that is not good changes nothing."""

import json
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.services import account_delete
from newsletter import sending
from newsletter.models import KindInterest, Subscriber
from tests.factories import IssueFactory, SiteFactory, SubscriberFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def snapshot(subscriber: Subscriber) -> tuple:
    subscriber.refresh_from_db()
    return (
        subscriber.language,
        subscriber.name,
        subscriber.alerts,
        subscriber.confirmed_at,
        subscriber.unsubscribed_at,
        subscriber.unsubscribed_from_id,
        sorted(subscriber.sites.values_list("pk", flat=True)),
        sorted(subscriber.topics.values_list("pk", flat=True)),
        sorted(subscriber.kinds),
    )


@pytest.fixture
def aline():
    return SubscriberFactory(email="aline@example.org", name="Aline", language="en")


@pytest.fixture
def bruno():
    reader = SubscriberFactory(email="bruno@example.org", name="Bruno Secret", language="fr")
    reader.sites.add(SiteFactory(name="Bruno's own site"))
    return reader


# Changing one's interests


def test_the_manage_page_saves_interests_and_language(aline):
    itombwe, gola = SiteFactory(), SiteFactory()
    mercury = TopicFactory()
    url = aline.manage_url()

    response = Client().post(
        url,
        {
            "name": "Aline Mukendi",
            "language": "fr",
            "sites": [itombwe.pk, gola.pk],
            "topics": [mercury.pk],
            "kinds": ["toolkit", "case_study"],
        },
    )

    assert response.status_code == 302
    assert response["Location"] == url
    assert snapshot(aline) == (
        "fr",
        "Aline Mukendi",
        False,
        aline.confirmed_at,
        None,
        None,
        sorted([itombwe.pk, gola.pk]),
        [mercury.pk],
        sorted(["toolkit", "case_study"]),
    )
    page = Client().get(url).content.decode()
    assert page.count(" checked>") == 6  # French, two sites, the theme, two kinds; no alerts


def test_the_manage_page_shows_its_own_reader_only(aline, bruno):
    page = Client().get(aline.manage_url()).content.decode()

    assert "aline@example.org" in page
    assert "Aline" in page
    assert "bruno@example.org" not in page
    assert "Bruno Secret" not in page
    assert bruno.token not in page


def test_the_manage_page_refuses_bad_input_and_changes_nothing(aline):
    before = snapshot(aline)

    for data in (
        {"language": "en", "name": "Aline\r\nBcc: x@evil.org"},
        {"language": "en", "sites": ["999999"]},
        {"language": "en", "topics": ["abc"]},
        {"language": "en", "kinds": ["poems"]},
        {"language": "xx"},
    ):
        response = Client().post(aline.manage_url(), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert snapshot(aline) == before


def test_an_unknown_token_is_not_found_and_changes_nothing(aline):
    before = snapshot(aline)

    for name in ("manage", "unsubscribe"):
        url = reverse(f"newsletter:{name}", kwargs={"token": aline.token[:-1] + "x"})
        assert Client().get(url).status_code == 404
        assert Client().post(url, {"language": "fr"}).status_code == 404
    assert snapshot(aline) == before


# Unsubscribing


def test_opening_the_unsubscribe_link_asks_and_changes_nothing(aline):
    before = snapshot(aline)

    response = Client().get(aline.unsubscribe_url())

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "Stop sending" in response.content.decode()
    assert snapshot(aline) == before


def test_the_page_button_unsubscribes_and_records_the_issue(aline, bruno):
    issue = IssueFactory()
    bruno_before = snapshot(bruno)
    page = Client().get(aline.unsubscribe_url(issue)).content.decode()
    assert '<form method="post">' in page  # posts back to the same address, ?issue= with it

    response = Client(enforce_csrf_checks=True).post(aline.unsubscribe_url(issue))

    assert response.status_code == 200
    assert "is unsubscribed" in response.content.decode()
    aline.refresh_from_db()
    assert aline.unsubscribed_at is not None
    assert aline.unsubscribed_from == issue
    assert snapshot(bruno) == bruno_before


def test_the_mail_clients_one_click_unsubscribes_without_a_session_or_csrf_token(aline, bruno):
    issue = IssueFactory()
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        aline.unsubscribe_url(issue),
        ONE_CLICK,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not response.cookies.get("sessionid")
    aline.refresh_from_db()
    assert not aline.is_active
    assert aline.unsubscribed_from == issue
    bruno.refresh_from_db()
    assert bruno.is_active


@pytest.mark.parametrize(
    "value", ["", "abc", "-1", "1.5", "²", "\u0661", "9" * 40, "0", "999999", "1 OR 1=1"]
)
def test_a_bad_or_unknown_issue_is_ignored(aline, value):
    IssueFactory(pk=1)
    url = f"{aline.unsubscribe_url()}?{urlencode({'issue': value})}"

    response = Client(enforce_csrf_checks=True).post(
        url, ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    aline.refresh_from_db()
    assert aline.unsubscribed_at is not None
    assert aline.unsubscribed_from is None


def test_unsubscribing_twice_keeps_the_first_time(aline):
    first = IssueFactory()
    Client().post(aline.unsubscribe_url(first))
    aline.refresh_from_db()
    stopped = aline.unsubscribed_at

    again = Client().post(aline.unsubscribe_url(IssueFactory()))

    assert again.status_code == 200
    aline.refresh_from_db()
    assert (aline.unsubscribed_at, aline.unsubscribed_from) == (stopped, first)


def test_nothing_is_sent_after_unsubscribing(aline, bruno, committed):
    Client().post(aline.unsubscribe_url())

    with committed():
        assert sending.issue_start(issue=IssueFactory()) == 1
    assert [message.to for message in mail.outbox] == [["Bruno Secret <bruno@example.org>"]]


def test_a_reader_unsubscribed_between_start_and_batch_gets_nothing(aline, bruno):
    issue = IssueFactory()
    sending.issue_start(issue=issue)  # its batch is not handed over: the test runs it
    Client().post(aline.unsubscribe_url(issue))

    sending.send_batch(issue_id=issue.pk, batch=0)

    assert [message.to for message in mail.outbox] == [["Bruno Secret <bruno@example.org>"]]


# A stakeholder's one click


def test_a_confirmed_stakeholder_subscribes_in_one_click_with_no_email(client):
    person = UserFactory(email="zawadi@example.org", preferred_language="fr")
    client.force_login(person)

    response = client.post(reverse("newsletter:member_subscribe"))

    subscriber = Subscriber.objects.get()
    assert response.status_code == 302
    assert response["Location"] == subscriber.manage_url()
    assert subscriber.user == person
    assert subscriber.email == "zawadi@example.org"
    assert subscriber.language == "fr"
    assert subscriber.is_active
    assert mail.outbox == []
    assert subscriber in IssueFactory().readers()


def test_one_click_takes_over_the_same_address_subscribed_from_the_form(client):
    person = UserFactory(email="zawadi@example.org")
    waiting = SubscriberFactory(email="Zawadi@example.org", confirmed_at=None)
    client.force_login(person)

    client.post(reverse("newsletter:member_subscribe"))

    subscriber = Subscriber.objects.get()
    assert subscriber.pk == waiting.pk
    assert subscriber.user == person
    assert subscriber.is_active


def test_one_click_needs_a_confirmed_address_a_session_and_a_post(client):
    url = reverse("newsletter:member_subscribe")

    anonymous = client.post(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))

    client.force_login(UserFactory(confirmed=False))
    assert client.post(url).status_code == 403

    client.force_login(UserFactory())
    assert client.get(url).status_code == 405
    assert not Subscriber.objects.exists()


def profile(client, user):
    client.force_login(user)
    page = client.get(reverse("accounts:profile_edit")).content.decode()
    return page


def test_the_profile_offers_the_one_click_to_a_stakeholder_not_subscribed(client):
    page = profile(client, UserFactory())

    assert 'data-newsletter-state="none"' in page
    assert f'action="{reverse("newsletter:member_subscribe")}"' in page


def test_the_profile_shows_a_subscription_and_its_links(client):
    person = UserFactory(email="zawadi@example.org")
    client.force_login(person)
    client.post(reverse("newsletter:member_subscribe"))
    subscriber = Subscriber.objects.get()

    page = profile(client, person)

    assert 'data-newsletter-state="subscribed"' in page
    assert subscriber.manage_url() in page
    assert reverse("newsletter:unsubscribe", kwargs={"token": subscriber.token}) in page
    assert f'action="{reverse("newsletter:member_subscribe")}"' not in page


def test_the_profile_shows_an_address_subscribed_from_the_form_as_subscribed(client):
    person = UserFactory(email="zawadi@example.org")
    subscriber = SubscriberFactory(email="ZAWADI@example.org")
    SubscriberFactory(email="other@example.org")

    page = profile(client, person)

    assert 'data-newsletter-state="subscribed"' in page
    assert subscriber.manage_url() in page


def test_the_profile_offers_to_subscribe_again_after_unsubscribing(client):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("newsletter:member_subscribe"))
    Client().post(Subscriber.objects.get().unsubscribe_url())

    page = profile(client, person)

    assert 'data-newsletter-state="unsubscribed"' in page
    assert f'action="{reverse("newsletter:member_subscribe")}"' in page
    client.post(reverse("newsletter:member_subscribe"))
    assert Subscriber.objects.get().is_active


def test_the_profile_of_an_unconfirmed_person_offers_nothing_nor_shows_the_address(client):
    person = UserFactory(email="zawadi@example.org", confirmed=False)
    someone = SubscriberFactory(email="zawadi@example.org")

    page = profile(client, person)

    assert "data-newsletter-state" not in page
    assert someone.token not in page


def test_deleting_the_account_removes_the_subscription():
    person = UserFactory()
    subscriber = SubscriberFactory(email=person.email, user=person)
    subscriber.sites.add(SiteFactory())
    KindInterest.objects.create(subscriber=subscriber, kind="toolkit")
    other = SubscriberFactory()

    account_delete(user=person)

    assert list(Subscriber.objects.all()) == [other]
    assert not KindInterest.objects.exists()


def test_the_personal_data_export_holds_the_subscription(client):
    person = UserFactory(email="zawadi@example.org")
    subscriber = SubscriberFactory(email=person.email, user=person, name="Zawadi", language="fr")
    site = SiteFactory(slug="itombwe")
    subscriber.sites.add(site)
    KindInterest.objects.create(subscriber=subscriber, kind="toolkit")
    SubscriberFactory(email="other@example.org")
    client.force_login(person)

    data = json.loads(client.get(reverse("accounts:export")).content)

    mine = data["newsletter"]["subscription"]
    assert mine["email"] == "zawadi@example.org"
    assert mine["language"] == "fr"
    assert mine["sites"] == ["itombwe"]
    assert mine["kinds_of_study"] == ["toolkit"]
    assert "other@example.org" not in json.dumps(data)
    assert subscriber.token not in json.dumps(data)


def test_reader_pages_are_in_the_pages_language(aline):
    with translation.override("fr"):
        url = aline.manage_url()

    page = Client().get(url).content.decode()

    assert url.startswith("/fr/")
    assert '<html lang="fr"' in page


def test_the_subscription_follows_the_primary_address_a_stakeholder_chooses(client):
    from allauth.account.models import EmailAddress

    person = UserFactory(email="zawadi@example.org")
    subscriber = SubscriberFactory(email=person.email, user=person)
    EmailAddress.objects.create(user=person, email="zawadi@new.example.org", verified=True)
    stranger = SubscriberFactory(email="Zawadi@new.example.org", confirmed_at=None)
    other = SubscriberFactory()
    client.force_login(person)

    answer = client.post(
        reverse("account_email"), {"action_primary": "", "email": "zawadi@new.example.org"}
    )

    assert answer.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.email == "zawadi@new.example.org"
    assert subscriber.is_active
    assert not Subscriber.objects.filter(pk=stranger.pk).exists()
    assert Subscriber.objects.get(pk=other.pk).email == other.email
