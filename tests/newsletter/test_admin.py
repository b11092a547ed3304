"""Editors write, preview, test, schedule and send letters in the admin; moderators and
stakeholders reach none of it, and readers' addresses are for the superuser alone."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import EDITORS, MODERATORS
from newsletter import tasks
from newsletter.letters import STAND_IN
from newsletter.models import Delivery, DeliveryState, Issue, IssueKind, IssueState, Subscriber
from newsletter.services import subscriber_unsubscribe
from tests.factories import (
    IssueFactory,
    SiteFactory,
    StaffFactory,
    SubscriberFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADD = reverse("admin:newsletter_issue_add")
LIST = reverse("admin:newsletter_issue_changelist")


def url(name, issue, *args):
    return reverse(f"admin:newsletter_issue_{name}", args=[issue.pk, *args])


@pytest.fixture
def editor(client):
    user = StaffFactory(groups=[EDITORS])
    client.force_login(user)
    return user


def later(**delta):
    return timezone.now() + datetime.timedelta(**delta)


def letter_data(**fields):
    return {
        "subject": "Gola: the study is out",
        "subject_fr": "Gola : l'étude est parue",
        "body": "Read **the study**.",
        "body_fr": "Lisez **l'étude**.",
        "kinds": ["case_study"],
        "send_at_0": "",
        "send_at_1": "",
        **fields,
    }


# Who may do what


def every_admin_url(issue, reader):
    return [
        ("get", LIST),
        ("get", ADD),
        ("get", url("change", issue)),
        ("get", url("delete", issue)),
        ("get", url("history", issue)),
        ("get", url("preview", issue, "en")),
        ("get", url("preview", issue, "fr")),
        ("get", url("preview_html", issue, "fr")),
        ("post", url("test", issue)),
        ("get", url("schedule", issue)),
        ("post", url("schedule", issue)),
        ("get", url("send", issue)),
        ("post", url("send", issue)),
        ("post", url("unschedule", issue)),
        ("get", reverse("admin:newsletter_subscriber_changelist")),
        ("get", reverse("admin:newsletter_subscriber_change", args=[reader.pk])),
        ("get", reverse("admin:newsletter_subscriber_delete", args=[reader.pk])),
    ]


@pytest.mark.parametrize("who", ["moderator", "stakeholder", "editor on readers"])
def test_those_who_may_not_edit_reach_no_newsletter_page_and_learn_nothing(client, who, committed):
    reader = SubscriberFactory(email="secret.reader@example.org")
    issue = IssueFactory(
        subject="Secret subject", state=IssueState.SCHEDULED, send_at=later(days=1)
    )
    user = {
        "moderator": lambda: StaffFactory(groups=[MODERATORS]),
        "stakeholder": lambda: UserFactory(),
        "editor on readers": lambda: StaffFactory(groups=[EDITORS]),
    }[who]()
    client.force_login(user)
    urls = every_admin_url(issue, reader)
    if who == "editor on readers":
        urls = [(method, address) for method, address in urls if "subscriber" in address]

    with committed():
        for method, address in urls:
            response = getattr(client, method)(address)
            if who == "stakeholder":
                assert response.status_code == 302, address
                assert reverse("admin:login") in response["Location"]
            else:
                assert response.status_code == 403, address
            assert b"Secret subject" not in response.content
            assert b"secret.reader" not in response.content

    issue.refresh_from_db()
    assert issue.state == IssueState.SCHEDULED
    assert not Delivery.objects.exists()
    assert mail.outbox == []
    assert Subscriber.objects.filter(pk=reader.pk).exists()
    index = client.get(reverse("admin:index"))
    assert b"newsletter/subscriber" not in index.content


def test_an_unknown_issue_or_language_is_not_found_for_an_editor(client, editor):
    issue = IssueFactory()
    assert client.get(url("preview", issue, "de")).status_code == 404
    assert (
        client.get(reverse("admin:newsletter_issue_preview", args=[987654, "en"])).status_code
        == 404
    )
    alerts = IssueFactory(kind=IssueKind.ALERTS)
    assert client.post(url("send", alerts)).status_code == 404
    assert client.get(url("test", issue)).status_code == 405


def test_the_superuser_lists_and_searches_readers_by_state_but_adds_none(client):
    client.force_login(StaffFactory(is_superuser=True))
    waiting = SubscriberFactory(email="waiting@example.org", confirmed_at=None)
    active = SubscriberFactory(email="active@example.org")
    gone = SubscriberFactory(email="gone@example.org")
    subscriber_unsubscribe(subscriber=gone)
    changelist = reverse("admin:newsletter_subscriber_changelist")

    def listed(**query):
        response = client.get(changelist, query)
        assert response.status_code == 200
        return {subscriber.email for subscriber in response.context["cl"].result_list}

    assert listed() == {waiting.email, active.email, gone.email}
    assert listed(state="waiting") == {waiting.email}
    assert listed(state="active") == {active.email}
    assert listed(state="unsubscribed") == {gone.email}
    assert listed(q="ACTIVE@") == {active.email}
    assert client.get(reverse("admin:newsletter_subscriber_add")).status_code == 403
    page = client.get(reverse("admin:newsletter_subscriber_change", args=[active.pk]))
    assert active.token.encode() not in page.content


# Writing


def test_an_editor_writes_a_letter_for_a_segment(client, editor):
    site, topic = SiteFactory(), TopicFactory()

    response = client.post(
        ADD,
        letter_data(
            sites=[site.pk], topics=[topic.pk], kinds=["case_study", "toolkit"], kind="alerts"
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    issue = Issue.objects.get()
    assert (issue.kind, issue.state, issue.created_by) == (IssueKind.LETTER, "draft", editor)
    assert issue.kinds == ["case_study", "toolkit"]
    assert list(issue.sites.all()) == [site]
    assert list(issue.topics.all()) == [topic]
    form = client.get(url("change", issue)).content.decode()
    assert 'type="checkbox" name="kinds" value="toolkit"' in form
    assert f'type="checkbox" name="sites" value="{site.pk}"' in form


@pytest.mark.parametrize("field", ["subject", "subject_fr"])
@pytest.mark.parametrize(
    "bad", ["News\r\nBcc: all@example.org", "News\nX-Evil: 1", "News\x1b[2J", "News\tand tab"]
)
def test_a_subject_that_would_start_another_header_is_refused(client, editor, field, bad):
    response = client.post(ADD, letter_data(**{field: bad}))

    assert response.status_code == 200
    assert "Write it on one line, without line breaks or control characters." in str(
        response.context["errors"]
    )
    assert not Issue.objects.exists()


@pytest.mark.parametrize(("field", "language"), [("body", "English"), ("body_fr", "French")])
def test_an_issue_whose_email_would_pass_30_kb_is_refused(client, editor, field, language):
    paragraph = "Artisanal miners and rangers met at Itombwe to talk about mercury. " * 4
    just_under = "\n\n".join([paragraph] * 80)  # about 22 KB of text, with the frame under 30
    assert client.post(ADD, letter_data(**{field: just_under})).status_code == 302
    Issue.objects.all().delete()

    response = client.post(ADD, letter_data(**{field: just_under * 2}))

    assert response.status_code == 200
    errors = str(response.context["errors"])
    assert f"In {language} this email would weigh" in errors
    assert "keep it under 30 KB" in errors
    assert not Issue.objects.exists()


def test_alerts_and_letters_being_sent_or_sent_are_shown_read_only(client, editor):
    alerts = IssueFactory(kind=IssueKind.ALERTS)
    sending = IssueFactory(state=IssueState.SENDING, started_at=timezone.now())
    sent = IssueFactory(state=IssueState.SENT, sent_at=timezone.now())

    for issue in (alerts, sending, sent):
        page = client.get(url("change", issue))
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        response = client.post(url("change", issue), letter_data(subject="Changed"))
        assert response.status_code == 403
        issue.refresh_from_db()
        assert issue.subject != "Changed"
        assert client.post(url("delete", issue), {"post": "yes"}).status_code == 403
    assert Issue.objects.count() == 3


# Preview and test


def test_the_preview_shows_each_language_as_its_readers_get_it(client, editor):
    issue = IssueFactory(subject="Gola news", subject_fr="Nouvelles de Gola", body_fr="")

    english = client.get(url("preview", issue, "en"))
    french = client.get(url("preview", issue, "fr"))
    french_html = client.get(url("preview_html", issue, "fr"))

    assert english.status_code == french.status_code == french_html.status_code == 200
    assert "english_instead" not in english.context or not english.context["english_instead"]
    assert b"Gola news" in english.content
    assert b"Nouvelles de Gola" in french.content
    # The French is empty: French readers get the English text, and the preview says so.
    assert b'id="english-instead"' in french.content
    assert b"Itombwe" in french.content  # the English body, in the text part
    assert "Se désabonner" in french_html.content.decode()
    assert "<strong>Itombwe</strong>" in french_html.content.decode()
    assert "sandbox" in french_html["Content-Security-Policy"]
    assert "script-src" not in french_html["Content-Security-Policy"]
    assert french_html["X-Frame-Options"] == "SAMEORIGIN"
    # Its links carry the stand-in, which is no reader's: following them changes nothing.
    assert STAND_IN in french_html.content.decode()
    reader = SubscriberFactory()
    client.post(reverse("newsletter:unsubscribe", kwargs={"token": STAND_IN}))
    reader.refresh_from_db()
    assert reader.is_active


def test_send_me_a_test_reaches_the_editor_alone_in_both_languages(client, editor, committed):
    SubscriberFactory.create_batch(2)
    issue = IssueFactory(subject="Gola news", subject_fr="Nouvelles de Gola")

    with committed():
        response = client.post(url("test", issue), follow=True)

    assert [message.to for message in mail.outbox] == [[editor.email], [editor.email]]
    subjects = [message.subject for message in mail.outbox]
    assert any("[Test]" in s and "Gola news" in s for s in subjects)
    assert any("Nouvelles de Gola" in s and "[Test]" in s for s in subjects), subjects
    for message in mail.outbox:
        assert message.alternatives[0][1] == "text/html"
        assert STAND_IN in message.body
    (told,) = response.context["messages"]
    assert str(told) == (
        f"A test in English and in French was sent to {editor.email}, and to no one else."
    )
    assert not Delivery.objects.exists()
    issue.refresh_from_db()
    assert issue.state == IssueState.DRAFT


# Reach, schedule, send


def test_the_change_form_and_confirmation_show_the_reach_in_one_query(
    client, editor, django_assert_num_queries
):
    itombwe, gola = SiteFactory(), SiteFactory()
    for language in ("en", "en", "fr"):
        SubscriberFactory(language=language).sites.add(itombwe)
    SubscriberFactory(language="fr").sites.add(gola)
    SubscriberFactory(language="fr", confirmed_at=None)
    issue = IssueFactory(body_fr="")
    issue.sites.add(itombwe)

    page = client.get(url("change", issue))
    confirm = client.get(url("send", issue))

    for response in (page, confirm):
        assert response.context["reach"] == {"total": 3, "en": 2, "fr": 1}
        assert b'id="english-instead"' in response.content
    with django_assert_num_queries(1):
        issue.readers().reach()


def test_the_reach_of_every_kind_of_segment_is_one_query(django_assert_num_queries):
    site = SiteFactory()
    chose_site, chose_kind, chose_nothing = SubscriberFactory.create_batch(3)
    chose_site.sites.add(site)
    chose_kind.kind_interests.create(kind="toolkit")
    everyone = IssueFactory()
    by_kind = IssueFactory(kinds=["toolkit"])
    by_site = IssueFactory()
    by_site.sites.add(site)

    with django_assert_num_queries(3):
        reaches = [issue.readers().reach()["total"] for issue in (everyone, by_kind, by_site)]

    assert reaches == [3, 2, 2]
    assert set(by_kind.readers()) == {chose_kind, chose_nothing}
    assert set(by_site.readers()) == {chose_site, chose_nothing}


def test_an_issue_is_scheduled_only_for_a_time_to_come(client, editor):
    past = IssueFactory(send_at=later(minutes=-1))
    unset = IssueFactory(send_at=None)

    for issue in (past, unset):
        response = client.post(url("schedule", issue))
        assert response.status_code == 400
        assert b"send at" in response.content
        issue.refresh_from_db()
        assert issue.state == IssueState.DRAFT

    issue = IssueFactory(send_at=later(hours=2))
    assert client.get(url("schedule", issue)).status_code == 200
    response = client.post(url("schedule", issue))
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.state == IssueState.SCHEDULED


def test_a_scheduled_issue_goes_back_to_draft_and_keeps_its_time_to_come(client, editor):
    issue = IssueFactory(state=IssueState.SCHEDULED, send_at=later(days=1))
    response = client.post(
        url("change", issue),
        letter_data(send_at_0=later(days=-1).strftime("%Y-%m-%d"), send_at_1="10:00:00"),
    )
    assert response.status_code == 200
    assert "passed" in str(response.context["errors"])

    assert client.post(url("unschedule", issue)).status_code == 302
    issue.refresh_from_db()
    assert issue.state == IssueState.DRAFT


def test_a_scheduled_issue_is_started_by_the_beat_when_due(committed):
    readers = SubscriberFactory.create_batch(3)
    due = IssueFactory(state=IssueState.SCHEDULED, send_at=later(minutes=-1))
    not_yet = IssueFactory(state=IssueState.SCHEDULED, send_at=later(hours=1))

    with committed():
        assert tasks.start_due_issues.delay().get() == 1

    due.refresh_from_db()
    not_yet.refresh_from_db()
    assert due.state == IssueState.SENT
    assert not_yet.state == IssueState.SCHEDULED
    assert {message.to[0] for message in mail.outbox} == {reader.email for reader in readers}


def test_send_now_after_confirming_then_the_issue_is_read_only(client, editor, committed):
    readers = SubscriberFactory.create_batch(2)
    issue = IssueFactory()

    with committed():
        response = client.post(url("send", issue), follow=True)

    (told,) = response.context["messages"]
    assert str(told) == "Sending has started, to 2 readers."
    issue.refresh_from_db()
    assert issue.state == IssueState.SENT
    assert len(mail.outbox) == len(readers)
    assert client.post(url("send", issue)).status_code == 400
    assert client.post(url("change", issue), letter_data()).status_code == 403
    assert Delivery.objects.filter(issue=issue).count() == 2


# Counts


def issue_with_copies(states):
    issue = IssueFactory(state=IssueState.SENT, sent_at=timezone.now())
    for number, state in enumerate(states):
        reader = SubscriberFactory()
        Delivery.objects.create(issue=issue, subscriber=reader, batch=0, state=state)
        if number == 0:
            subscriber_unsubscribe(subscriber=reader, issue_id=issue.pk)
    return issue


def test_the_counts_of_each_issue_in_the_list_and_on_its_page(client, editor):
    issue = issue_with_copies(
        [DeliveryState.SENT, DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.PENDING]
    )

    listed = client.get(LIST)
    page = client.get(url("change", issue))

    row = listed.context["cl"].result_list[0]
    expected = {"sent": 2, "failed": 1, "waiting": 1, "unsubscribed": 1}
    assert row.counts == expected
    assert page.context["counts"] == expected
    assert b'id="issue-counts"' in page.content


def test_the_list_costs_the_same_queries_with_1_or_20_issues(
    client, editor, django_assert_num_queries
):
    issue_with_copies([DeliveryState.SENT, DeliveryState.FAILED])
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for _ in range(19):
        issue_with_copies([DeliveryState.SENT, DeliveryState.PENDING])

    with django_assert_num_queries(len(one)):
        response = client.get(LIST)
    assert len(response.context["cl"].result_list) == 20
