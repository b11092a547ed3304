"""An issue goes to each reader it is for, once, in their language, with their own links; the
batches skip what is done, and a copy another worker marked is never sent."""

import pytest
from django.core import mail

from newsletter import sending
from newsletter.models import Delivery, DeliveryState, IssueState
from newsletter.services import subscriber_unsubscribe
from tests.factories import IssueFactory, SiteFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def test_an_issue_reaches_every_active_reader_once_in_their_language(committed):
    english = SubscriberFactory(language="en")
    french = SubscriberFactory(language="fr", name="Aline Mukendi")
    SubscriberFactory(confirmed_at=None)  # never confirmed
    gone = SubscriberFactory()
    subscriber_unsubscribe(subscriber=gone)
    issue = IssueFactory()

    with committed():
        assert sending.issue_start(issue=issue) == 2

    by_reader = {message.to[0]: message for message in mail.outbox}
    assert set(by_reader) == {english.email, f"Aline Mukendi <{french.email}>"}
    assert issue.subject in by_reader[english.email].subject
    assert issue.subject_fr in by_reader[f"Aline Mukendi <{french.email}>"].subject
    assert french.token in by_reader[f"Aline Mukendi <{french.email}>"].body
    assert english.token not in by_reader[f"Aline Mukendi <{french.email}>"].body
    issue.refresh_from_db()
    assert issue.state == IssueState.SENT
    assert set(issue.deliveries.values_list("state", flat=True)) == {DeliveryState.SENT}
    with committed():
        assert sending.issue_start(issue=issue) == 0
    assert len(mail.outbox) == 2


def test_a_segment_reaches_its_readers_and_those_who_chose_nothing(committed):
    itombwe, gola = SiteFactory(), SiteFactory()
    follows_itombwe = SubscriberFactory()
    follows_itombwe.sites.add(itombwe)
    follows_gola = SubscriberFactory()
    follows_gola.sites.add(gola)
    wants_all = SubscriberFactory()
    issue = IssueFactory()
    issue.sites.add(itombwe)

    assert set(issue.readers()) == {follows_itombwe, wants_all}
    assert issue.readers().reach() == {"total": 2, "en": 2, "fr": 0}


def test_a_batch_sends_only_what_waits_and_never_what_another_worker_marked(monkeypatch):
    readers = SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    monkeypatch.setattr(sending, "BATCH_SIZE", 2)
    sending.issue_start(issue=issue)  # its batches are not handed over: the test runs them
    deliveries = list(Delivery.objects.filter(issue=issue).order_by("pk"))
    assert [delivery.batch for delivery in deliveries] == [0, 0, 1]
    Delivery.objects.filter(pk=deliveries[0].pk).update(state=DeliveryState.SENT)

    sending.send_batch(issue_id=issue.pk, batch=0)
    assert [message.to for message in mail.outbox] == [[readers[1].email]]
    sending.send_batch(issue_id=issue.pk, batch=0)
    assert len(mail.outbox) == 1
    issue.refresh_from_db()
    assert issue.state == IssueState.SENDING
    sending.send_batch(issue_id=issue.pk, batch=1)
    issue.refresh_from_db()
    assert issue.state == IssueState.SENT
