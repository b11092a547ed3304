"""The outbox records work with the write that calls for it, runs it once, retries what fails."""

import datetime
import socket
import uuid

import pytest
from celery import current_app
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.emails import queue_email, sending
from core.tasks import send_email
from outbox import services
from outbox.jobs import job
from outbox.models import Entry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

calls = []


@job
def remember(*, word):
    calls.append(word)


@job
def fails_until(*, attempt):
    calls.append(attempt)
    if len(calls) < attempt:
        raise OSError("the mail server is away")


@pytest.fixture(autouse=True)
def no_calls_yet():
    calls.clear()


def message(subject="News"):
    return EmailMessage(subject, "Body", "portal@example.org", ["reader@example.org"])


def test_an_email_waits_for_its_transaction_then_is_sent_once_with_its_key(committed):
    with committed():
        queue_email(message())
        entry = Entry.objects.get()
        assert mail.outbox == [], "nothing is sent before the write commits"
        assert entry.done_at is None

    entry.refresh_from_db()
    assert entry.done_at is not None
    assert entry.attempts == 1
    assert [sent.subject for sent in mail.outbox] == ["News"]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{entry.key}@localhost>"


def test_nothing_is_recorded_or_sent_when_the_write_rolls_back(committed):
    class WriteFailed(Exception):
        pass

    def write():
        with transaction.atomic():
            queue_email(message())
            raise WriteFailed

    with committed(), pytest.raises(WriteFailed):
        write()

    assert not Entry.objects.exists()
    assert mail.outbox == []


def test_a_second_copy_of_the_task_does_not_run_the_job_again():
    entry = services.record(remember, word="once")

    assert services.run(entry.pk) == "done"
    assert services.run(entry.pk) == "skipped"
    assert calls == ["once"]


def test_a_failed_job_is_kept_with_its_error_and_tried_again_when_due(committed):
    with committed():
        entry = services.record(fails_until, attempt=2)

    entry.refresh_from_db()
    assert (entry.done_at, entry.attempts, entry.relayed_at) == (None, 1, None)
    assert entry.last_error == "OSError: the mail server is away"
    assert entry.next_attempt_at > timezone.now() + datetime.timedelta(seconds=25)
    assert services.relay() == 0, "not due yet"

    Entry.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())
    assert services.relay() == 1

    entry.refresh_from_db()
    assert entry.done_at is not None
    assert (entry.attempts, entry.last_error) == (2, "")
    assert calls == [2, 2]


def test_a_job_failing_every_time_is_given_up_and_can_be_tried_again(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    entry = services.record(fails_until, attempt=3)

    assert services.run(entry.pk) == "failed"
    assert services.run(entry.pk) == "given up"
    assert services.run(entry.pk) == "skipped"
    assert Entry.objects.backlog()["given_up"] == 1

    assert services.try_again(Entry.objects.all()) == 1
    assert services.run(entry.pk) == "done"
    assert calls == [3, 3, 3]


def test_an_entry_naming_anything_but_a_job_runs_nothing():
    entry = Entry.objects.create(job="os.system", kwargs={"command": "touch /tmp/owned"})
    unknown = Entry.objects.create(job="no.such.module.job")

    assert services.run(entry.pk) == "failed"
    assert services.run(unknown.pk) == "failed"
    entry.refresh_from_db()
    assert entry.last_error == "LookupError: no job 'os.system'"


def test_the_relay_hands_over_again_what_was_handed_over_long_ago_and_never_done(settings):
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS + 1)
    lost = Entry.objects.create(job=remember.job_name, kwargs={"word": "lost"}, relayed_at=long_ago)
    Entry.objects.create(
        job=remember.job_name, kwargs={"word": "on its way"}, relayed_at=timezone.now()
    )

    assert services.relay() == 1

    lost.refresh_from_db()
    assert lost.done_at is not None
    assert calls == ["lost"]


def test_the_relay_forgets_entries_done_a_week_ago():
    old = timezone.now() - datetime.timedelta(days=8)
    Entry.objects.create(job=remember.job_name, done_at=old)
    recent = Entry.objects.create(job=remember.job_name, done_at=timezone.now())

    services.relay()

    assert list(Entry.objects.all()) == [recent]


@pytest.fixture
def broker_away():
    """Celery publishing to a port where nothing listens, as when Redis is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nowhere = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    conf = current_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, nowhere
    # Celery's own reset of its connection pools (as after a fork): they hold the broker's URL.
    current_app._after_fork()
    yield
    conf.task_always_eager, conf.broker_url = saved
    current_app._after_fork()


def test_a_broker_away_leaves_the_entries_waiting_for_the_relay(committed, broker_away):
    with committed():
        services.record(remember, word="first")
        services.record(remember, word="second")

    assert Entry.objects.backlog()["waiting"] == 2
    assert set(Entry.objects.values_list("relayed_at", flat=True)) == {None}
    assert services.relay() == 0
    assert calls == []


def test_the_admin_index_shows_the_backlog_to_those_who_may_see_the_outbox(client):
    Entry.objects.create(
        job=remember.job_name, created_at=timezone.now() - datetime.timedelta(minutes=7)
    )
    Entry.objects.create(job=remember.job_name)
    Entry.objects.create(job=remember.job_name, given_up_at=timezone.now())
    Entry.objects.create(job=remember.job_name, done_at=timezone.now())

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:index")).content.decode()
    assert "2 jobs wait in the outbox</a>: the oldest for 7\xa0minutes." in page
    assert "1 job was given up" in page

    client.force_login(UserFactory(is_staff=True, groups=["Moderators"]))
    page = client.get(reverse("admin:index")).content.decode()
    assert "in the outbox" not in page
    assert client.get(reverse("admin:outbox_entry_changelist")).status_code == 403


def test_the_admin_tries_given_up_jobs_again(client):
    entry = Entry.objects.create(
        job=remember.job_name, kwargs={"word": "again"}, attempts=30, given_up_at=timezone.now()
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:outbox_entry_changelist"),
        {"action": "try_again", "_selected_action": [entry.pk]},
        follow=True,
    )

    assert "1 job will be tried again." in response.content.decode()
    entry.refresh_from_db()
    assert (entry.given_up_at, entry.attempts) == (None, 0)
    assert services.relay() == 1
    assert calls == ["again"]
    change = reverse("admin:outbox_entry_change", args=[entry.pk])
    assert "Save" not in client.get(change).content.decode(), "an entry's page is read-only"


def test_the_outbox_list_costs_the_same_queries_for_3_or_60_entries(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:outbox_entry_changelist")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    Entry.objects.bulk_create(Entry(job=remember.job_name) for _ in range(3))
    queries()  # the account is read once, then kept (accounts.backends)
    few = queries()
    Entry.objects.bulk_create(Entry(job=remember.job_name) for _ in range(57))
    assert queries() == few


@job(outside=True)
def sends_then_loses_the_database(*, word):
    """Like an email sent just as the database goes: the worker's connection is ended from
    outside once the job's work is done."""
    import psycopg

    calls.append(word)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_a_job_done_outside_is_not_run_again_when_the_database_drops_before_its_mark():
    if connection.vendor != "postgresql":
        pytest.skip("ends a PostgreSQL connection")
    entry = Entry.objects.create(job=sends_then_loses_the_database.job_name, kwargs={"word": "a"})

    assert services.run(entry.pk) == "done"

    entry.refresh_from_db()
    assert (entry.done_at is not None, entry.attempts, entry.claimed_until) == (True, 1, None)
    assert services.run(entry.pk) == "skipped"
    assert calls == ["a"]


def test_a_claimed_job_is_not_run_by_a_second_copy_until_its_claim_lapses(settings):
    settings.OUTBOX_REDELIVER_SECONDS = 60
    entry = Entry.objects.create(
        job=send_email.job_name,
        kwargs=sending(message(), uuid.uuid4()),
        claimed_until=timezone.now() + datetime.timedelta(seconds=30),
    )

    assert services.run(entry.pk) == "skipped"
    assert mail.outbox == []

    Entry.objects.filter(pk=entry.pk).update(claimed_until=timezone.now())
    assert services.run(entry.pk) == "done"
    assert len(mail.outbox) == 1
