"""The weekly alerts: each reader gets what became public in the week and matches their
interests, in their language, or no email at all; never what a visitor could not see; one issue
per week however often it is started; the same queries for a batch of 5 readers as of 50."""

import datetime
import threading
from importlib import import_module

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.emails import site_url
from forums.models import PostStatus, ThreadKind, Visibility
from newsletter import alerts, sending
from newsletter.models import Delivery, DeliveryState, Issue, IssueKind, KindInterest
from newsletter.tasks import start_weekly_alerts
from publications.models import Kind
from sites.models import Site
from sites.services import site_published, sites_publish
from tests.factories import (
    ForumFactory,
    PublicationFactory,
    SiteFactory,
    SubscriberFactory,
    ThreadFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

END = datetime.datetime(2026, 11, 30, 6, tzinfo=datetime.UTC)
START = END - datetime.timedelta(days=7)
DURING = START + datetime.timedelta(days=2)
BEFORE = START - datetime.timedelta(days=30)


def alerts_issue(**fields):
    return Issue.objects.create(
        kind=IssueKind.ALERTS,
        subject="Weekly alerts",
        period_start=fields.pop("period_start", START),
        period_end=fields.pop("period_end", END),
        **fields,
    )


def consultation(title, *, forum=None, created_at=DURING, **fields):
    return ThreadFactory(
        title=title,
        forum=forum or ForumFactory(),
        kind=ThreadKind.CONSULTATION,
        created_at=created_at,
        **fields,
    )


def send(committed, issue=None) -> dict:
    """Start the issue; its batches run at commit. Each reader's message by address."""
    with committed():
        sending.issue_start(issue=issue or alerts_issue())
    return {message.to[0]: message for message in mail.outbox}


def text(message) -> str:
    return message.body


def html(message) -> str:
    (part,) = [content for content, kind in message.alternatives if kind == "text/html"]
    return part


def reader(*, sites=(), topics=(), kinds=(), **fields):
    subscriber = SubscriberFactory(**fields)
    subscriber.sites.set(sites)
    subscriber.topics.set(topics)
    for kind in kinds:
        KindInterest.objects.create(subscriber=subscriber, kind=kind)
    return subscriber


@pytest.fixture
def week():
    """A week's news: a study of each way to match, a new site, a consultation opened in a
    site's forum, and an outcome in another site's forum."""
    gola, itombwe = SiteFactory(published_at=BEFORE), SiteFactory(published_at=BEFORE)
    mercury, gender = TopicFactory(name="Mercury"), TopicFactory(name="Gender")
    about_gola = PublicationFactory(title="Gold panning at Gola", published_at=DURING)
    gola.publications.add(about_gola)
    on_mercury = PublicationFactory(
        title="Mercury-free processing", kind=Kind.REPORT, published_at=DURING
    )
    on_mercury.topics.add(mercury)
    a_toolkit = PublicationFactory(title="The ASM toolkit", kind=Kind.TOOLKIT, published_at=DURING)
    a_toolkit.topics.add(gender)
    new_site = SiteFactory(name="Lake Tanganyika", published_at=DURING)
    consultation("Buffer zone at Gola?", forum=ForumFactory(site=gola))
    closed = consultation(
        "Licences in Itombwe", forum=ForumFactory(site=itombwe), created_at=BEFORE
    )
    closed.outcome, closed.closed_at = "Licences are suspended.", DURING
    closed.save()
    return {
        "gola": gola,
        "itombwe": itombwe,
        "mercury": mercury,
        "all": {
            "Gold panning at Gola",
            "Mercury-free processing",
            "The ASM toolkit",
            "Lake Tanganyika",
            "Buffer zone at Gola?",
            "Licences in Itombwe",
        },
        "new_site": new_site,
    }


def shown(message, titles) -> set:
    return {title for title in titles if title in text(message) and title in html(message)}


def test_each_reader_gets_what_matches_their_interests(week, committed):
    everything = reader()
    of_gola = reader(sites=[week["gola"]])
    of_itombwe = reader(sites=[week["itombwe"]])
    of_mercury = reader(topics=[week["mercury"]])
    of_toolkits = reader(kinds=[Kind.TOOLKIT])
    of_gola_or_mercury = reader(sites=[week["gola"]], topics=[week["mercury"]])

    by_reader = send(committed)

    def got(subscriber):
        return shown(by_reader[subscriber.email], week["all"])

    assert got(everything) == week["all"]
    # A site: its studies, and the consultations in its forum; no other site.
    assert got(of_gola) == {"Gold panning at Gola", "Buffer zone at Gola?"}
    assert got(of_itombwe) == {"Licences in Itombwe"}
    # A theme or a kind: those studies; sites and consultations, having chosen no site.
    places = {"Lake Tanganyika", "Buffer zone at Gola?", "Licences in Itombwe"}
    assert got(of_mercury) == {"Mercury-free processing", *places}
    assert got(of_toolkits) == {"The ASM toolkit", *places}
    assert got(of_gola_or_mercury) == {
        "Gold panning at Gola",
        "Mercury-free processing",
        "Buffer zone at Gola?",
    }


def test_the_sections_say_what_each_item_is(week, committed):
    reader()
    (message,) = send(committed).values()
    body = text(message)
    assert body.index("New studies") < body.index("Mercury-free processing")
    assert body.index("New case-study sites") < body.index("Lake Tanganyika")
    assert body.index("Consultations opened") < body.index("Buffer zone at Gola?")
    assert body.index("Outcomes of consultations") < body.index("Licences in Itombwe")
    assert "Report, English. Themes: Mercury" in body
    assert "<img" not in html(message)
    assert len(html(message).encode()) < 30 * 1024


def hidden_thread():
    consultation("Unseen consultation", opening__status=PostStatus.PENDING)


def restricted_forum():
    forum = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=["government"])
    consultation("Unseen consultation", forum=forum)


def members_forum():
    consultation("Unseen consultation", forum=ForumFactory(visibility=Visibility.MEMBERS))


def restricted_outcome():
    forum = ForumFactory(visibility=Visibility.RESTRICTED, allowed_groups=["government"])
    thread = consultation("Unseen consultation", forum=forum, created_at=BEFORE)
    thread.outcome, thread.closed_at = "Decided behind closed doors.", DURING
    thread.save()


def unpublished_study():
    PublicationFactory(title="Unseen study", is_published=False, published_at=None)


def withdrawn_study():
    PublicationFactory(title="Unseen study", is_published=False, published_at=DURING)


def unpublished_site():
    SiteFactory(name="Unseen site", is_published=False, published_at=None)


def withdrawn_site():
    SiteFactory(name="Unseen site", is_published=False, published_at=DURING)


def a_discussion():
    ThreadFactory(title="Unseen consultation", created_at=DURING)  # not a consultation


@pytest.mark.parametrize(
    "make",
    [
        hidden_thread,
        restricted_forum,
        members_forum,
        restricted_outcome,
        unpublished_study,
        withdrawn_study,
        unpublished_site,
        withdrawn_site,
        a_discussion,
    ],
)
def test_nothing_a_visitor_cannot_see(make, committed):
    PublicationFactory(title="A public study", published_at=DURING)
    make()
    wants_all = reader()

    message = send(committed)[wants_all.email]

    assert "A public study" in text(message)
    for unseen in ("Unseen consultation", "Unseen study", "Unseen site"):
        assert unseen not in text(message)
        assert unseen not in html(message)


def test_only_what_happened_in_the_period(committed):
    PublicationFactory(title="Study of the week", published_at=DURING)
    PublicationFactory(title="Study of last week", published_at=START - datetime.timedelta(hours=1))
    PublicationFactory(title="Study of next week", published_at=END)
    SiteFactory(name="Site of last week", published_at=START - datetime.timedelta(seconds=1))
    consultation("Consultation of next week", created_at=END)
    thread = consultation("Closed last week", created_at=BEFORE)
    thread.outcome, thread.closed_at = "Done.", START - datetime.timedelta(minutes=1)
    thread.save()
    first_minute = PublicationFactory(title="Study at the first instant", published_at=START)
    reader()

    (message,) = send(committed).values()

    assert "Study of the week" in text(message)
    assert first_minute.title in text(message)  # the period includes its start, not its end
    for title in (
        "Study of last week",
        "Study of next week",
        "Site of last week",
        "Consultation of next week",
        "Closed last week",
    ):
        assert title not in text(message)


def test_a_french_reader_gets_french_names_and_links(committed):
    gold = TopicFactory(name="Alluvial gold", name_fr="Or alluvial")
    study = PublicationFactory(title="Gold at Itombwe", published_at=DURING, kind=Kind.REPORT)
    study.topics.add(gold)
    site = SiteFactory(
        name="Kahuzi-Biega National Park", fr="Parc national de Kahuzi-Biega", published_at=DURING
    )
    forum = ForumFactory(site=site, name="Kahuzi-Biega forum", name_fr="Forum de Kahuzi-Biega")
    thread = consultation("Gold panning rules", forum=forum)
    french = reader(language="fr")
    english = reader(language="en")

    by_reader = send(committed)

    for part in (text(by_reader[french.email]), html(by_reader[french.email])):
        assert "Parc national de Kahuzi-Biega" in part
        assert "Forum de Kahuzi-Biega" in part
        assert "Rapport" in part
        assert "Or alluvial" in part
        assert "/en/" not in part
        for english_words in (
            "Kahuzi-Biega National Park",
            "Kahuzi-Biega forum",
            "Alluvial gold",
            "Report",
        ):
            assert english_words not in part
    assert '<html lang="fr">' in html(by_reader[french.email])
    english_text = text(by_reader[english.email])
    assert "Kahuzi-Biega National Park" in english_text
    assert "Kahuzi-Biega forum" in english_text
    assert "Alluvial gold" in english_text
    assert "/fr/" not in english_text
    paths = [study.get_absolute_url(), site.get_absolute_url(), thread.get_absolute_url()]
    for path in paths:
        assert path.startswith("/en/")
        french_link = site_url() + path.replace("/en/", "/fr/", 1)
        assert french_link in text(by_reader[french.email])
        assert f'href="{french_link}"' in html(by_reader[french.email])
        assert site_url() + path in english_text


def test_nothing_matching_sends_nothing_and_the_copy_is_skipped(week, committed):
    bored = reader(sites=[SiteFactory(published_at=BEFORE)])
    interested = reader(sites=[week["gola"]])
    issue = alerts_issue()

    by_reader = send(committed, issue)

    assert set(by_reader) == {interested.email}
    copies = dict(Delivery.objects.filter(issue=issue).values_list("subscriber_id", "state"))
    assert copies == {bored.pk: DeliveryState.SKIPPED, interested.pk: DeliveryState.SENT}


def test_an_empty_week_sends_nothing(committed):
    PublicationFactory(title="Old news", published_at=BEFORE)
    reader()
    assert send(committed) == {}


def test_readers_who_turned_alerts_off_get_none(week, committed):
    reader(alerts=False)
    wants = reader()
    issue = alerts_issue()

    assert set(send(committed, issue)) == {wants.email}
    assert list(issue.deliveries.values_list("subscriber", flat=True)) == [wants.pk]


def test_turning_alerts_off_after_the_start_skips_the_copy(week, committed):
    subscriber = reader()
    issue = alerts_issue()
    sending.issue_start(issue=issue)  # batches not handed over: the test runs them
    subscriber.alerts = False
    subscriber.save()

    sending.send_batch(issue_id=issue.pk, batch=0)

    assert mail.outbox == []
    assert issue.deliveries.get().state == DeliveryState.SKIPPED


def test_starting_the_alerts_twice_in_an_hour_makes_one_issue_and_one_email_each(week, committed):
    first, second = reader(), reader(language="fr")
    with committed():
        issue = alerts.alerts_start(now=END + datetime.timedelta(minutes=5))
    with committed():
        again = alerts.alerts_start(now=END + datetime.timedelta(minutes=55))

    assert again == issue
    assert Issue.objects.filter(kind=IssueKind.ALERTS).count() == 1
    assert (issue.period_start, issue.period_end) == (START, END)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([first.email, second.email])
    assert issue.subject == "Weekly alerts"


def test_a_beat_that_lost_the_race_finds_the_other_beats_issue(week, committed, monkeypatch):
    reader()
    with committed():
        issue = alerts.alerts_start(now=END)
    # Another beat read the alerts before this one's issue existed, and so tries to make it.
    monkeypatch.setattr(alerts, "last_alerts", lambda: None)
    with committed():
        again = alerts.alerts_start(now=END)

    assert again == issue
    assert Issue.objects.filter(kind=IssueKind.ALERTS).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_make_one_issue_and_one_email_each(monkeypatch):
    readers = {reader().email, reader(language="fr").email}
    PublicationFactory(title="News of the week", published_at=DURING)
    together = threading.Barrier(2, timeout=20)
    last = alerts.last_alerts

    def read_together():
        found = last()
        together.wait()  # both have read that no issue exists for the hour
        return found

    monkeypatch.setattr(alerts, "last_alerts", read_together)
    started, errors = [], []

    def beat():
        try:
            started.append(alerts.alerts_start(now=END))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    beats = [threading.Thread(target=beat) for _ in range(2)]
    for thread in beats:
        thread.start()
    for thread in beats:
        thread.join(timeout=60)

    assert not errors
    (issue,) = Issue.objects.filter(kind=IssueKind.ALERTS)
    assert [found.pk for found in started] == [issue.pk, issue.pk]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(readers)


def test_the_next_week_starts_where_the_last_ended(committed):
    first = alerts.alerts_start(now=END)
    later = END + datetime.timedelta(days=7, hours=2, minutes=30)
    PublicationFactory(
        title="Late on the first Monday", published_at=END + datetime.timedelta(hours=1)
    )
    wants_all = reader()

    with committed():
        second = alerts.alerts_start(now=later)

    assert second.period_start == first.period_end == END
    assert second.period_end == END + datetime.timedelta(days=7, hours=2)
    assert "Late on the first Monday" in text(mail.outbox[0])
    assert mail.outbox[0].to == [wants_all.email]
    # An earlier hour than the last period's end starts nothing.
    assert alerts.alerts_start(now=END + datetime.timedelta(days=1)) is None
    assert Issue.objects.filter(kind=IssueKind.ALERTS).count() == 2


def test_the_beat_starts_the_alerts_each_monday_once():
    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == start_weekly_alerts.name
    ]
    assert entry["schedule"] == crontab(day_of_week="mon", hour=6, minute=0)
    assert start_weekly_alerts.run.period == 7 * 24 * 3600


def queries_of_a_batch(issue, readers) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        letter = alerts.AlertsLetter(issue, readers)
        sent = sum(letter.message(subscriber) is not None for subscriber in readers)
    return len(queries), sent


def test_a_batch_costs_the_same_queries_for_5_readers_as_for_50(week):
    kinds = [Kind.TOOLKIT, Kind.REPORT]
    readers = [
        reader(
            language="fr" if number % 2 else "en",
            sites=[week["gola"], week["itombwe"]][: number % 3],
            topics=[week["mercury"]] if number % 4 == 0 else [],
            kinds=kinds[: number % 3],
        )
        for number in range(50)
    ]
    issue = alerts_issue()
    queries_of_a_batch(issue, readers[:1])  # the current site, cached by Django once

    few, sent_few = queries_of_a_batch(issue, readers[:5])
    many, sent_many = queries_of_a_batch(issue, readers)

    assert sent_few == 5
    assert sent_many == 50
    assert few == many <= 10


def test_a_site_is_dated_when_first_published_and_keeps_that_date():
    site = SiteFactory(is_published=False, published_at=None)
    other = SiteFactory(is_published=False, published_at=None)

    sites_publish(sites=Site.objects.filter(pk=site.pk))
    site.refresh_from_db()
    first = site.published_at
    assert first is not None
    sites_publish(sites=Site.objects.filter(pk=site.pk), published=False)
    sites_publish(sites=Site.objects.filter(pk=site.pk))
    site.refresh_from_db()
    assert site.published_at == first

    site_published(site=other)  # saved as published in the admin's form
    other.refresh_from_db()
    assert other.published_at is not None


def test_the_migration_dates_the_sites_published_before_by_their_last_save():
    from django.apps import apps

    migration = import_module("sites.migrations.0003_published_at")
    published = SiteFactory(published_at=None)
    draft = SiteFactory(is_published=False, published_at=None)
    saved = Site.objects.get(pk=published.pk).updated_at

    migration.date_published_sites(apps, None)

    assert Site.objects.get(pk=published.pk).published_at == saved
    assert Site.objects.get(pk=draft.pk).published_at is None
