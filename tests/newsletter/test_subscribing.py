"""Subscribing through the form: double opt-in with a single-use link that expires, the same
answer whatever the address, bad input refused with nothing saved nor sent, and a limit per
client address."""

import logging
import re
import time
import types
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from newsletter import sending
from newsletter.models import KindInterest, Subscriber
from tests.factories import IssueFactory, SiteFactory, SubscriberFactory, TopicFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/(?:en|fr)/newsletter/confirm/[^/\s]+/)")
MANAGE_LINK = re.compile(r"https?://[^/\s]+(/(?:en|fr)/newsletter/manage/[^/\s]+/)")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def subscribe(committed, client=None, address="127.0.0.1", **data):
    form = {"email": "aline@example.org", "language": "en", "alerts": "on", **data}
    with committed():
        return (client or Client()).post(reverse("newsletter:subscribe"), form, REMOTE_ADDR=address)


def confirm_path(message) -> str:
    return CONFIRM_LINK.search(message.body).group(1)


def state(subscriber: Subscriber) -> tuple:
    subscriber.refresh_from_db()
    return (
        subscriber.confirmed_at,
        subscriber.unsubscribed_at,
        subscriber.confirm_nonce,
        subscriber.language,
        subscriber.name,
        sorted(subscriber.sites.values_list("pk", flat=True)),
    )


@pytest.fixture
def later(monkeypatch):
    """Moves the clock that signed links are checked against."""

    def move(delta: timedelta):
        moved = time.time() + delta.total_seconds()
        monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: moved))

    return move


def test_the_footer_form_fills_in_the_address_of_the_whole_form(client):
    response = client.get(reverse("newsletter:subscribe"), {"email": "aline@example.org"})

    assert response.status_code == 200
    assert 'value="aline@example.org"' in response.content.decode()


def test_nothing_is_sent_before_the_reader_confirms_and_the_link_is_in_their_language(
    committed,
):
    itombwe = SiteFactory()
    response = subscribe(committed, language="fr", name="Aline", sites=[itombwe.pk])

    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:subscribe_sent")
    reader = Subscriber.objects.get(email="aline@example.org")
    assert not reader.is_active
    assert [message.to for message in mail.outbox] == [["aline@example.org"]]
    path = confirm_path(mail.outbox[0])
    assert path.startswith("/fr/newsletter/confirm/")
    with translation.override("fr"):
        subject = gettext("Confirm your subscription to the newsletter")
        hello = gettext("Hello,")
    assert subject in mail.outbox[0].subject
    assert mail.outbox[0].body.startswith(hello)
    mail.outbox.clear()

    with committed():
        assert sending.issue_start(issue=IssueFactory()) == 0
    assert mail.outbox == []

    asked = Client().get(path)
    assert asked.status_code == 200
    assert "aline@example.org" in asked.content.decode()
    reader.refresh_from_db()
    assert reader.confirmed_at is None  # a mail scanner opening the link confirms nothing

    confirmed = Client().post(path)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reader.manage_url()
    reader.refresh_from_db()
    assert reader.is_active
    assert reader.language == "fr"
    assert list(reader.sites.all()) == [itombwe]
    with committed():
        assert sending.issue_start(issue=IssueFactory()) == 1
    assert [message.to for message in mail.outbox] == [["Aline <aline@example.org>"]]


def test_a_confirmation_link_works_once(committed):
    subscribe(committed)
    path = confirm_path(mail.outbox[0])
    assert Client().post(path).status_code == 302
    reader = Subscriber.objects.get()
    before = state(reader)

    again = Client().post(path)

    assert again.status_code == 400
    assert "already used" in again.content.decode()
    assert state(reader) == before


def test_a_newer_link_makes_the_older_useless(committed):
    subscribe(committed)
    older = confirm_path(mail.outbox[0])
    Subscriber.objects.update(prompted_at=timezone.now() - timedelta(minutes=11))
    subscribe(committed)
    newer = confirm_path(mail.outbox[1])
    assert newer != older

    refused = Client().post(older)

    assert refused.status_code == 400
    assert Subscriber.objects.get().confirmed_at is None
    assert Client().post(newer).status_code == 302
    assert Subscriber.objects.get().is_active


def test_a_link_expires_after_seven_days(committed, later):
    subscribe(committed)
    path = confirm_path(mail.outbox[0])
    reader = Subscriber.objects.get()
    before = state(reader)

    later(timedelta(days=6, hours=23))
    assert Client().get(path).status_code == 200
    later(timedelta(days=7, minutes=1))
    for response in (Client().get(path), Client().post(path)):
        assert response.status_code == 400
        page = response.content.decode()
        assert "expired" in page
        assert f'href="{reverse("newsletter:subscribe")}"' in page
        assert "Subscribe again" in page
    assert state(reader) == before


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: "nonsense",
        lambda token: signing.dumps({"s": "1", "n": "x"}, salt="newsletter.confirm"),
        lambda token: signing.dumps([1, 2], salt="newsletter.confirm"),
        lambda token: signing.dumps({"s": 1, "n": "x"}, salt="another.salt"),
    ],
)
def test_a_tampered_link_is_refused_and_changes_nothing(committed, tamper):
    subscribe(committed)
    token = confirm_path(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    reader = Subscriber.objects.get()
    before = state(reader)
    path = reverse("newsletter:confirm", kwargs={"token": tamper(token)})

    for response in (Client().get(path), Client().post(path)):
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert state(reader) == before


def test_a_link_for_a_reader_gone_since_is_refused(committed):
    subscribe(committed)
    path = confirm_path(mail.outbox[0])
    Subscriber.objects.all().delete()

    assert Client().post(path).status_code == 400
    assert not Subscriber.objects.exists()


def answer_of(committed, email):
    """What a new visitor sees on subscribing the address, up to the page they land on."""
    visitor = Client()
    posted = subscribe(committed, client=visitor, email=email)
    landed = visitor.get(posted["Location"])
    return (
        posted.status_code,
        posted["Location"],
        posted.content,
        sorted(posted.cookies),
        landed.status_code,
        CSRF.sub("", landed.content.decode()),
    )


def test_the_answer_is_the_same_for_a_new_a_waiting_and_a_subscribed_address(committed):
    SubscriberFactory(email="waiting@example.org", confirmed_at=None)
    SubscriberFactory(email="known@example.org")

    answers = [
        answer_of(committed, email)
        for email in ("new@example.org", "waiting@example.org", "KNOWN@example.org")
    ]

    assert answers[0] == answers[1] == answers[2]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "known@example.org",
        "new@example.org",
        "waiting@example.org",
    ]


def test_a_subscribed_address_keeps_its_interests_and_is_told_how_to_change_them(committed):
    itombwe, gola = SiteFactory(), SiteFactory()
    topic = TopicFactory()
    reader = SubscriberFactory(email="known@example.org", language="fr", name="Aline")
    reader.sites.add(itombwe)
    KindInterest.objects.create(subscriber=reader, kind="toolkit")
    before = state(reader)

    subscribe(
        committed,
        email="Known@Example.org",
        name="Someone else",
        language="en",
        sites=[gola.pk],
        topics=[topic.pk],
        kinds=["report"],
    )

    assert state(reader) == before
    assert reader.kinds == ["toolkit"]
    assert list(reader.topics.all()) == []
    assert Subscriber.objects.count() == 1
    [message] = mail.outbox
    assert message.to == ["known@example.org"]
    assert MANAGE_LINK.search(message.body).group(1) == f"/fr/newsletter/manage/{reader.token}/"
    assert not CONFIRM_LINK.search(message.body)


def test_at_most_one_email_per_address_in_ten_minutes(committed):
    SubscriberFactory(email="known@example.org")
    for _ in range(3):
        subscribe(committed, email="new@example.org")
        subscribe(committed, email="known@example.org")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "known@example.org",
        "new@example.org",
    ]

    Subscriber.objects.update(prompted_at=timezone.now() - timedelta(minutes=11))
    subscribe(committed, email="new@example.org")
    subscribe(committed, email="known@example.org")
    assert len(mail.outbox) == 4


@pytest.mark.parametrize(
    "email",
    [
        "",
        "aline",
        "aline@",
        "@example.org",
        "aline@@example.org",
        "aline example@example.org",
        "aline@example.org\r\nBcc: x@evil.org",
        "aline@example.org, x@evil.org",
        "<aline@example.org>",
        "a" * 250 + "@example.org",
    ],
)
def test_an_invalid_address_is_refused_with_nothing_saved_nor_sent(committed, email):
    response = subscribe(committed, email=email)

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "name", ["Aline\r\nBcc: x@evil.org", "\n", "Aline\n", "Aline\rMukendi", "Aline\x00"]
)
def test_a_name_that_would_start_another_header_is_refused(committed, name):
    response = subscribe(committed, name=name)

    assert response.status_code == 200
    assert "without line breaks" in str(response.context["form"].errors["name"])
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_spaces_around_a_name_are_dropped(committed):
    subscribe(committed, name="  Aline Mukendi ")

    assert Subscriber.objects.get().name == "Aline Mukendi"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sites", "999999"),
        ("sites", "itombwe"),
        ("topics", "999999"),
        ("kinds", "poems"),
        ("language", "de"),
    ],
)
def test_unknown_sites_themes_kinds_and_languages_are_refused(committed, field, value):
    response = subscribe(committed, **{field: [value]})

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_an_unpublished_site_cannot_be_chosen(committed):
    hidden = SiteFactory(is_published=False)

    response = subscribe(committed, sites=[hidden.pk])

    assert response.context["form"].errors["sites"]
    assert str(hidden) not in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_form_shows_many_sites_and_themes_in_labelled_groups(client):
    SiteFactory.create_batch(8)
    TopicFactory.create_batch(12)

    page = client.get(reverse("newsletter:subscribe")).content.decode()

    for label in ("Sites", "Themes", "Kinds of study", "Language of the emails"):
        assert re.search(rf"<legend[^>]*>{label}</legend>", page)
    assert page.count('type="checkbox" name="sites"') == 8
    assert page.count('type="checkbox" name="topics"') == 12
    assert "row-cols-sm-2" in page


def test_the_form_is_in_french_on_french_addresses(client):
    with translation.override("fr"):
        url = reverse("newsletter:subscribe")
    page = client.get(url).content.decode()

    assert url.startswith("/fr/")
    assert '<html lang="fr"' in page
    assert 'value="fr" id="id_language_1" checked' in page


@pytest.fixture
def limit(settings):
    settings.NEWSLETTER_SUBSCRIBE_LIMIT = 2


def test_an_address_may_subscribe_only_so_many_times_an_hour(committed, limit):
    for number in (1, 2):
        response = subscribe(committed, email=f"r{number}@example.org", address="203.0.113.5")
        assert response.status_code == 302

    refused = subscribe(committed, email="r3@example.org", address="203.0.113.5")

    assert refused.status_code == 200
    assert "Too many subscriptions" in refused.content.decode()
    assert refused.context["form"].non_field_errors()
    assert not Subscriber.objects.filter(email="r3@example.org").exists()
    assert len(mail.outbox) == 2
    other = subscribe(committed, email="r4@example.org", address="203.0.113.6")
    assert other.status_code == 302
    assert len(mail.outbox) == 3


def test_without_a_cache_the_form_goes_through(committed, limit, monkeypatch, caplog):
    import django.core.cache

    class Away:
        def add(self, *args, **kwargs):
            raise ConnectionError("the cache is away")

        incr = add

    # The counting (core.cache.count_from_client) reads Django's default cache at each call.
    monkeypatch.setattr(django.core.cache, "cache", Away())
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        answers = [
            subscribe(committed, email=f"r{n}@example.org", address="203.0.113.5") for n in range(3)
        ]

    assert [answer.status_code for answer in answers] == [302, 302, 302]
    assert Subscriber.objects.count() == 3
    assert "could not be counted" in caplog.text


def test_the_subscribe_and_manage_pages_cost_the_same_queries_however_many_choices(
    page_cache_off,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reader = SubscriberFactory()

    def costs():
        counts = []
        for url in (reverse("newsletter:subscribe"), reader.manage_url()):
            with CaptureQueriesContext(connection) as queries:
                assert Client().get(url).status_code == 200
            counts.append(len(queries))
        return counts

    site, topic = SiteFactory(), TopicFactory()
    reader.sites.add(site)
    reader.topics.add(topic)
    costs()  # the first page also fills what this process keeps (the footer's pages)
    few = costs()
    for _ in range(12):
        reader.sites.add(SiteFactory())
        reader.topics.add(TopicFactory())
    KindInterest.objects.create(subscriber=reader, kind="toolkit")

    assert costs() == few
    assert max(few) <= 8
