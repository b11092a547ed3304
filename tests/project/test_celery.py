"""Mail goes out from a Celery task: inline by default, through a real Redis broker when set."""

import os
import socket
import subprocess
import sys
import time

import pytest
import redis

from core.tasks import send_email_message

from .conftest import ROOT, run_django

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def test_tasks_run_inline_without_a_broker(mailoutbox):
    send_email_message.delay(
        subject="Hello", body="Body", from_email="portal@example.org", to=["a@example.org"]
    )

    assert [message.subject for message in mailoutbox] == ["Hello"]


@pytest.fixture
def redis_broker():
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).flushdb()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS}")
        pytest.skip(f"no Redis at {REDIS}")
    return REDIS


def mails_in(folder):
    """The messages Django's file backend wrote: one file per backend, named by the time and
    the backend's id, which two backends of one process may share (one file, two messages);
    each message ends with a line of dashes."""
    return [
        message
        for path in sorted(folder.glob("*.log"))
        for message in path.read_text().split("-" * 79)
        if message.strip()
    ]


def test_a_worker_process_sends_mail_queued_through_redis(redis_broker, tmp_path):
    env = {
        "CELERY_BROKER_URL": redis_broker,
        "EMAIL_URL": f"filemail:///{tmp_path}",  # django-environ drops one leading slash
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    queue = (
        "import django; django.setup();"
        "from celery import current_app;"
        "from core.tasks import send_email_message;"
        "send_email_message.delay(subject='Through Redis', body='Queued body',"
        " from_email='portal@example.org', to=['b@example.org'], html='<p>Queued</p>');"
        # As queued before the task moved from accounts to core.
        "current_app.send_task('accounts.tasks.send_email_message', kwargs={'subject': 'Older',"
        " 'body': 'Queued before', 'from_email': 'portal@example.org', 'to': ['c@example.org']})"
    )
    run_django("-c", queue, env={**env, "DJANGO_SETTINGS_MODULE": "asmpace.settings"})
    assert redis.Redis.from_url(redis_broker).llen("celery") == 2, "the tasks wait in Redis"

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "asmpace",
            "worker",
            "--pool=solo",
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=(tmp_path / "worker.out").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while len(mails_in(tmp_path)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=20)

    sent = mails_in(tmp_path)
    assert len(sent) == 2, (tmp_path / "worker.out").read_text()
    text = next(text for text in sent if "Subject: Through Redis" in text)
    assert "To: b@example.org" in text
    assert "<p>Queued</p>" in text
    older = next(text for text in sent if "Subject: Older" in text)
    assert "To: c@example.org" in older


def test_a_reply_saved_while_the_broker_is_away_is_answered_as_saved(production_env):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        nowhere = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"  # nothing listens there
    snippet = (
        "import django; django.setup();"
        "from django.test import Client;"
        "from forums.models import Post;"
        "from tests.factories import ThreadFactory, UserFactory;"
        "thread = ThreadFactory(); author = UserFactory(is_staff=True, is_superuser=True);"
        "client = Client(raise_request_exception=False); client.force_login(author);"
        "r = client.post(thread.get_absolute_url() + 'reply/',"
        " {'body': 'Saved while the broker was away.', 'language': 'en'},"
        " headers={'host': 'portal.example.org'}, secure=True);"
        "from outbox.models import Entry;"
        "print(r.status_code, Post.objects.filter(body__startswith='Saved while').count(),"
        " Entry.objects.backlog()['waiting'])"
    )
    env = {
        **production_env,
        "CELERY_BROKER_URL": nowhere,
        "DJANGO_SETTINGS_MODULE": "asmpace.settings",
    }

    result = run_django("-c", snippet, env=env, timeout=120)

    # Saved, answered as saved, and the subscribers' notification waits in the outbox.
    assert result.stdout.split()[-3:] == ["302", "1", "1"], result.stderr[-2000:]
