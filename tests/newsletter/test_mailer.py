"""The split DATA against a real SMTP server: the copy is marked sent before the message ends,
so a mark that fails leaves nothing with the server, and every answer the server gives ends in
the right state: waiting (tried again), failed (with why), or sent once."""

import smtplib
import time

import pytest
from django.core.mail import EmailMessage
from django.db import DatabaseError
from django.utils import timezone

import outbox.services
from newsletter import mailer, sending
from newsletter.models import Delivery, DeliveryState, IssueState
from outbox.models import Entry
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def started(readers: int = 1):
    """An issue with its deliveries made, its batches not yet run (the test runs them)."""
    subscribers = SubscriberFactory.create_batch(readers)
    issue = IssueFactory()
    sending.issue_start(issue=issue)  # not committed: nothing is handed over
    return issue, subscribers


def delivery_of(subscriber) -> Delivery:
    return Delivery.objects.get(subscriber=subscriber)


def test_a_commit_that_fails_leaves_nothing_with_the_server(smtp):
    backend = mailer.connection()
    seen = []

    def commit():
        # The whole message is written, and the server has not kept it: only "." would do that.
        # (Given time to, a server that had the end already would have called handle_DATA.)
        time.sleep(0.05)
        seen.append(len(smtp.messages))
        raise DatabaseError("the database went away")

    message = EmailMessage("Hello", "Body", "portal@example.org", ["a@example.org"])
    with pytest.raises(DatabaseError):
        backend.send_once(message, commit=commit)
    assert seen == [0]
    assert backend.connection is None  # dropped in the middle of the DATA
    time.sleep(0.2)
    assert smtp.messages == []

    # The same backend opens a new connection for the next message, which arrives alone.
    committed = []
    backend.send_once(message, commit=lambda: committed.append(len(smtp.messages)))
    backend.close()
    assert committed == [0]
    assert len(smtp.messages) == 1


def test_a_copy_whose_mark_fails_stays_waiting_and_reaches_no_one(smtp, monkeypatch):
    issue, (reader,) = started()

    def claim(delivery):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(sending, "claim", claim)
    with pytest.raises(DatabaseError):
        sending.send_batch(issue_id=issue.pk, batch=0)
    time.sleep(0.2)
    assert smtp.messages == []
    assert delivery_of(reader).state == DeliveryState.PENDING

    monkeypatch.undo()
    sending.send_batch(issue_id=issue.pk, batch=0)
    assert [recipients for recipients, _ in smtp.messages] == [[reader.email]]
    assert delivery_of(reader).state == DeliveryState.SENT


def test_a_server_that_cannot_take_it_now_leaves_it_waiting_and_the_batch_tried_again(smtp):
    issue, readers = started(2)
    smtp.answer = lambda envelope: "451 Try again later"
    entry = Entry.objects.get(key=sending.batch_key(issue, 0))

    with pytest.raises(smtplib.SMTPException, match="2 copies"):
        sending.send_batch(issue_id=issue.pk, batch=0)
    # As the outbox runs it: the batch failed, to be tried again later.
    assert outbox.services.run(entry.pk) == "failed"
    entry.refresh_from_db()
    assert "2 copies could not be sent now" in entry.last_error
    assert entry.next_attempt_at > timezone.now()
    assert entry.done_at is None
    assert smtp.messages == []
    for reader in readers:
        copy = delivery_of(reader)
        assert (copy.state, copy.sent_at) == (DeliveryState.PENDING, None)
    issue.refresh_from_db()
    assert issue.state == IssueState.SENDING

    smtp.answer = None  # later, the outbox runs the batch again
    assert outbox.services.run(entry.pk) == "done"
    assert sorted(recipients for recipients, _ in smtp.messages) == sorted(
        [[reader.email] for reader in readers]
    )
    issue.refresh_from_db()
    assert issue.state == IssueState.SENT


def test_a_refused_message_is_failed_with_the_servers_words_and_never_tried_again(smtp):
    issue, readers = started(2)
    refused = readers[0].email
    smtp.answer = lambda envelope: (
        "550 Message refused by policy" if envelope.rcpt_tos == [refused] else None
    )

    sending.send_batch(issue_id=issue.pk, batch=0)  # nothing to retry: it does not raise
    first, second = delivery_of(readers[0]), delivery_of(readers[1])
    assert first.state == DeliveryState.FAILED
    assert first.sent_at is None
    assert first.error == "550 Message refused by policy"
    assert second.state == DeliveryState.SENT
    assert [recipients for recipients, _ in smtp.messages] == [[readers[1].email]]
    issue.refresh_from_db()
    assert issue.state == IssueState.SENT
    sending.issue_counts([issue])
    assert issue.counts["failed"] == 1
    assert issue.counts["sent"] == 1

    smtp.answer = None
    sending.send_batch(issue_id=issue.pk, batch=0)
    assert len(smtp.messages) == 1


class Refusing:
    """Refuses some recipients at RCPT, for good (5xx) or for now (4xx)."""

    def __init__(self, mailbox, refusals):
        self.mailbox, self.refusals = mailbox, refusals

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refusals:
            return self.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_recipient_refused_at_rcpt_is_failed_and_one_refused_for_now_waits(smtp):
    issue, (gone, greylisted, fine) = started(3)
    refusals = {gone.email: "550 No such user here", greylisted.email: "450 Greylisted"}
    refusing = Refusing(smtp, refusals)
    smtp.handle_RCPT = refusing.handle_RCPT

    with pytest.raises(smtplib.SMTPException, match="1 copies"):
        sending.send_batch(issue_id=issue.pk, batch=0)
    assert delivery_of(gone).state == DeliveryState.FAILED
    assert "550" in delivery_of(gone).error
    assert "No such user" in delivery_of(gone).error
    assert delivery_of(greylisted).state == DeliveryState.PENDING
    assert delivery_of(fine).state == DeliveryState.SENT
    assert [recipients for recipients, _ in smtp.messages] == [[fine.email]]

    del refusals[greylisted.email]
    sending.send_batch(issue_id=issue.pk, batch=0)
    assert delivery_of(greylisted).state == DeliveryState.SENT
    assert delivery_of(gone).state == DeliveryState.FAILED
    assert [recipients for recipients, _ in smtp.messages] == [[fine.email], [greylisted.email]]


def test_a_copy_another_worker_marked_never_reaches_the_server(smtp, monkeypatch):
    issue, (taken, free) = started(2)
    letter_for = sending.letter_for

    class Racing:
        """The letter, with another worker marking the first copy while this one writes it."""

        def __init__(self, letter):
            self.letter = letter

        def message(self, subscriber):
            if subscriber == taken:
                Delivery.objects.filter(subscriber=taken).update(state=DeliveryState.SENT)
            return self.letter.message(subscriber)

    monkeypatch.setattr(sending, "letter_for", lambda *args: Racing(letter_for(*args)))
    sending.send_batch(issue_id=issue.pk, batch=0)
    time.sleep(0.2)
    assert [recipients for recipients, _ in smtp.messages] == [[free.email]]
    assert delivery_of(taken).state == DeliveryState.SENT
    assert delivery_of(free).state == DeliveryState.SENT
