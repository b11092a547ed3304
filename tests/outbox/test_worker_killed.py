"""Exactly once, with real parts: a Redis broker of the test's own, Celery workers in their own
processes, a real SMTP server, PostgreSQL. A worker killed in the middle of a batch loses no
email and sends none twice."""

import asyncio
import email
import threading
import time
import uuid

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage
from django.db import connection

from core.emails import sender_domain, sending
from core.tasks import send_email
from outbox.models import Entry
from tests.engines import celery_worker, database_url, free_port, redis_server, wait_until
from tests.project.conftest import run_django

BATCH = 12
HELD = 5  # the message during which the worker dies
LEASE_SECONDS = 3


REDELIVER_ALL = (
    "import django; django.setup();"
    "from outbox.models import Entry; from outbox.tasks import run_entry;"
    "[run_entry.delay(pk) for pk in Entry.objects.values_list('pk', flat=True)]"
)


class Sink:
    """An SMTP server's mailbox. It holds the HELD-th message before accepting it, until the
    test lets it go; a message whose sender is gone by then was never accepted."""

    def __init__(self):
        self.accepted = []
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if len(self.accepted) + 1 == HELD and not self.holding.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            if server.transport is None or server.transport.is_closing():
                return "421 The sender left before the message was accepted"
        self.accepted.append(email.message_from_bytes(envelope.original_content)["Message-ID"])
        return "250 Message accepted"


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    handler.release.set()
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_no_email_and_sends_none_twice(sink, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("workers in other processes share the test database on PostgreSQL only")
    mailbox, smtp_port = sink
    keys = [uuid.uuid4() for _ in range(BATCH)]
    for number, key in enumerate(keys):
        message = EmailMessage(f"Reply {number}", "Body", "portal@example.org", ["a@example.org"])
        Entry.objects.create(job=send_email.job_name, kwargs=sending(message, key), key=key)

    with redis_server() as (_, broker):
        env = {
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DJANGO_SETTINGS_MODULE": "asmpace.settings",
            # The killed worker's claim on the held message lapses, and the relay hands every
            # entry not done over again, after this long (5 minutes in production).
            "OUTBOX_REDELIVER_SECONDS": str(LEASE_SECONDS),
        }

        def relay(**extra):
            result = run_django("manage.py", "relay_outbox", env={**env, **extra})
            return int(result.stdout.split()[0])

        def worker(name):
            return celery_worker(name, env, tmp_path / f"{name}.log")

        assert relay() == BATCH
        first = worker("first")
        try:
            wait_until(mailbox.holding.is_set, what="the worker to reach the held message")
        finally:
            first.kill()  # SIGKILL: no goodbye, its message unacknowledged, its transaction open
            first.wait(timeout=10)
        time.sleep(0.3)
        mailbox.release.set()
        assert len(mailbox.accepted) == HELD - 1
        wait_until(lambda: Entry.objects.filter(done_at__isnull=False).count() == HELD - 1)

        second = worker("second")
        try:
            # The broker still holds the tasks after the held one: they are done. The held
            # one's task died with the worker; once its claim lapses, the relay hands it over.
            wait_until(lambda: Entry.objects.filter(done_at__isnull=False).count() == BATCH - 1)
            time.sleep(LEASE_SECONDS)
            assert relay() == 1
            wait_until(lambda: not Entry.objects.waiting().exists(), what="the outbox to drain")
            # A second copy of every task, as a broker redelivers what it thinks was lost:
            # each finds its entry done.
            run_django("-c", REDELIVER_ALL, env=env)
            wait_until(lambda: int(run_django(
                "-c", "import redis,sys; print(redis.Redis.from_url(sys.argv[1]).llen('celery'))",
                broker).stdout) == 0, what="the queue to empty")  # fmt: skip
            time.sleep(1)  # the last copy is run
        finally:
            second.terminate()
            second.wait(timeout=20)

    log = (tmp_path / "first.log").read_text() + (tmp_path / "second.log").read_text()
    assert sorted(mailbox.accepted) == sorted(f"<{key}@{sender_domain()}>" for key in keys), log
    assert log.count("succeeded in") >= 2 * BATCH - (HELD - 1), "every second copy ran"
    assert sorted(Entry.objects.values_list("attempts", flat=True)) == [1] * (BATCH - 1) + [2]
