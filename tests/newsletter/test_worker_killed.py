"""Exactly once, with real parts: 1,000 readers, a Redis broker of the test's own, Celery
workers in their own processes, a real SMTP server, PostgreSQL. The worker sending the issue is
killed in the middle of a batch; every reader still gets the issue once, none twice."""

import os
import random
import signal
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from newsletter import sending
from newsletter.models import Delivery, DeliveryState, IssueState, Subscriber
from outbox.models import Entry
from tests.engines import (
    Mailbox,
    celery_worker,
    database_url,
    redis_server,
    smtp_server,
    wait_until,
)
from tests.factories import IssueFactory
from tests.project.conftest import run_django

READERS = 1000
KILLED_AT = 333  # the 333rd message: the middle of the second batch of 200
LEASE_SECONDS = 3

START = (
    "import sys, django; django.setup();"
    "from newsletter.models import Issue; from newsletter.sending import issue_start;"
    "print(issue_start(issue=Issue.objects.get(pk=int(sys.argv[1]))))"
)


def readers() -> list[Subscriber]:
    now = timezone.now()
    return Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org", language="fr" if n % 3 else "en",
                   name=f"Lecteur {n} é", confirmed_at=now)
        for n in range(READERS)
    )  # fmt: skip


class Killer:
    """The SMTP server's side: when the KILLED_AT-th message has ended (the worker has marked
    it sent, written its ".", and waits for the answer), the worker is killed; the message is
    still accepted, as a real server that had queued it would."""

    def __init__(self):
        self.worker = None
        self.killed = threading.Event()
        self.mailbox = Mailbox(self.answer)

    def answer(self, envelope):
        if len(self.mailbox.messages) + 1 == KILLED_AT:
            os.kill(self.worker.pid, signal.SIGKILL)
            self.killed.set()


def environment(broker: str, smtp_port: int) -> dict:
    return {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DJANGO_SETTINGS_MODULE": "asmpace.settings",
        # The killed worker's claim on its batch lapses, and the relay hands it over again,
        # after this long (5 minutes in production).
        "OUTBOX_REDELIVER_SECONDS": str(LEASE_SECONDS),
    }


def relay(env) -> int:
    return int(run_django("manage.py", "relay_outbox", env=env).stdout.split()[0])


def lapsed(entry_id: int) -> bool:
    """The entry is due for the relay: its claim, if any, lapsed, and its task is long lost."""
    entry = Entry.objects.get(pk=entry_id)
    now = timezone.now()
    claim_lapsed = entry.claimed_until is None or entry.claimed_until < now
    return claim_lapsed and (
        entry.relayed_at is None or entry.relayed_at < now - timedelta(seconds=LEASE_SECONDS)
    )


def assert_exactly_once(mailbox: Mailbox, issue, subscribers, log: str):
    per_recipient = Counter(address for recipients, _ in mailbox.messages for address in recipients)
    per_id = Counter(message["Message-ID"] for message in mailbox.parsed())
    assert [address for address, count in per_recipient.items() if count > 1] == [], log
    assert set(per_recipient) == {reader.email for reader in subscribers}, log
    assert len(mailbox.messages) == READERS
    assert set(per_id.values()) == {1}
    domain = next(iter(per_id)).rpartition("@")[2]
    assert set(per_id) == {f"<newsletter.{issue.pk}.{reader.pk}@{domain}" for reader in subscribers}
    assert Delivery.objects.filter(issue=issue).count() == READERS
    assert set(Delivery.objects.filter(issue=issue).values_list("state", flat=True)) == {
        DeliveryState.SENT
    }
    issue.refresh_from_db()
    assert issue.state == IssueState.SENT


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_sends_every_reader_the_issue_exactly_once(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("workers in other processes share the test database on PostgreSQL only")
    subscribers = readers()
    issue = IssueFactory()
    killer = Killer()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]

    with smtp_server(killer.mailbox) as smtp_port, redis_server() as (_, broker):
        env = environment(broker, smtp_port)
        killer.worker = first = celery_worker("first", env, logs[0])
        try:
            started = run_django("-c", START, str(issue.pk), env=env)
            assert started.stdout.split() == [str(READERS)]
            assert killer.killed.wait(timeout=60), logs[0].read_text()
        finally:
            first.kill()
            first.wait(timeout=10)

        # Killed between the end of the 333rd message and the server's answer: 333 copies
        # marked, 333 messages kept; the batch it was in half done, its claim still held.
        assert len(killer.mailbox.messages) == KILLED_AT
        sent = Delivery.objects.filter(issue=issue, state=DeliveryState.SENT)
        assert sent.count() == KILLED_AT
        killed_batch = (KILLED_AT - 1) // sending.BATCH_SIZE
        assert 0 < sent.filter(batch=killed_batch).count() < sending.BATCH_SIZE
        killed_entry = Entry.objects.get(key=sending.batch_key(issue, killed_batch))
        assert killed_entry.done_at is None

        second = celery_worker("second", env, logs[1])
        try:
            # The broker still holds the batches after the killed one: they are sent. The
            # killed one's task died with the worker; once its claim lapses, the relay hands
            # it over again, and the second worker sends what it had left.
            wait_until(
                lambda: Entry.objects.filter(done_at__isnull=False).count() == READERS // 200 - 1,
                what="the other batches",
            )
            wait_until(lambda: lapsed(killed_entry.pk), what="the claim to lapse")
            assert relay(env) == 1
            wait_until(
                lambda: not Delivery.objects.filter(issue=issue, state="pending").exists(),
                what="the last copies",
            )
            wait_until(lambda: not Entry.objects.waiting().exists(), what="the outbox to drain")
            time.sleep(0.5)  # anything sent twice would have arrived by now
        finally:
            second.terminate()
            second.wait(timeout=20)

    log = "\n".join(path.read_text() for path in logs)
    assert_exactly_once(killer.mailbox, issue, subscribers, log)
    killed_entry.refresh_from_db()
    assert killed_entry.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_at_any_moment_sends_no_reader_the_issue_twice(tmp_path):
    """Killed at a moment the mail server does not choose: anywhere in a batch, in the SMTP
    dialogue or in a write. No reader gets it twice; the one copy that may be lost is the one
    marked sent in the microseconds before its "." was written."""
    if connection.vendor != "postgresql":
        pytest.skip("workers in other processes share the test database on PostgreSQL only")
    subscribers = readers()
    issue = IssueFactory()
    mailbox = Mailbox()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]

    with smtp_server(mailbox) as smtp_port, redis_server() as (_, broker):
        env = environment(broker, smtp_port)
        first = celery_worker("first", env, logs[0])
        try:
            run_django("-c", START, str(issue.pk), env=env)
            wait_until(lambda: len(mailbox.messages) >= 250, what="the first messages")
            time.sleep(random.uniform(0, 0.3))
        finally:
            first.kill()
            first.wait(timeout=10)
        time.sleep(0.2)  # what the dead worker's socket still held has arrived
        marked = set(
            Delivery.objects.filter(issue=issue, state=DeliveryState.SENT).values_list(
                "subscriber__email", flat=True
            )
        )
        arrived = {address for recipients, _ in mailbox.messages for address in recipients}
        # Marked and not arrived: at most the copy it was writing the "." of.
        assert arrived <= marked
        lost = marked - arrived
        assert len(lost) <= 1

        second = celery_worker("second", env, logs[1])
        try:
            waiting = Entry.objects.waiting()
            deadline = time.monotonic() + 60
            while waiting.exists():
                assert time.monotonic() < deadline, "waited 60 s for the outbox to drain"
                if all(lapsed(entry_id) for entry_id in waiting.values_list("pk", flat=True)):
                    relay(env)
                time.sleep(0.3)
            time.sleep(0.5)  # anything sent twice would have arrived by now
        finally:
            second.terminate()
            second.wait(timeout=20)

    log = "\n".join(path.read_text() for path in logs)
    per_recipient = Counter(address for recipients, _ in mailbox.messages for address in recipients)
    assert [address for address, count in per_recipient.items() if count > 1] == [], log
    assert {reader.email for reader in subscribers} - set(per_recipient) == lost, log
    assert len(mailbox.messages) == READERS - len(lost)
    assert Counter(message["Message-ID"] for message in mailbox.parsed()).most_common(1)[0][1] == 1
    assert not Delivery.objects.filter(issue=issue).exclude(state=DeliveryState.SENT).exists()
    issue.refresh_from_db()
    assert issue.state == IssueState.SENT
