import datetime
import json
import os
import socket

import pytest
from django.utils import timezone

from outbox.models import Entry

from .conftest import run_django

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
HEALTH = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE','asmpace.settings');"
    "django.setup(); from django.test import Client;"
    "r = Client().get('/healthz', headers={'host': '10.0.0.7'});"
    "print(r.status_code, r.content.decode())"
)


def health_of(env):
    result = run_django("-c", HEALTH, env=env)
    status, body = result.stdout.split(" ", 1)
    return int(status), json.loads(body)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when this returns: nothing listens


@pytest.mark.django_db
def test_healthz_answers_200_and_touches_no_session(client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the database's probe, the outbox's backlog
        response = client.get("/healthz")

    assert response.status_code == 200
    # No Redis and no broker configured: the cache is per process, tasks run inline.
    assert response.json() == {
        "status": "ok",
        "database": "up",
        "cache": "local",
        "broker": "inline",
        "outbox": {"waiting": 0, "oldest_seconds": 0, "given_up": 0, "state": "ok"},
    }
    assert not response.cookies
    assert "Cookie" not in response.headers.get("Vary", "")


def test_healthz_answers_probes_by_ip_over_plain_http_in_production(production_env):
    snippet = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE','asmpace.settings');"
        "django.setup(); from django.test import Client;"
        "r = Client().get('/healthz', headers={'host': '10.0.0.7'}); print(r.status_code)"
    )

    assert run_django("-c", snippet, env=production_env).stdout.strip() == "200"


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    # A real failure in a separate process: the database is a file in a folder that does not
    # exist (SQLite) or a port where nothing listens (PostgreSQL), never a mock.
    snippet = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE','asmpace.settings');"
        "django.setup(); from django.test import Client;"
        "r = Client().get('/healthz', headers={'host': '10.0.0.7'});"
        "print(r.status_code, r.content.decode())"
    )
    for database_url in (
        f"sqlite:///{tmp_path}/missing/folder/db.sqlite3",
        "postgres://postgres@127.0.0.1:1/asmpace",
    ):
        env = {"DATABASE_URL": database_url, "DATABASE_POOL_TIMEOUT": "1"}
        result = run_django("-c", snippet, env=env)

        status, body = result.stdout.split(" ", 1)
        assert status == "503", result.stderr
        assert json.loads(body)["database"] == "down"


def test_healthz_checks_the_cache_and_the_broker(production_env):
    status, body = health_of({**production_env, "REDIS_URL": REDIS, "CELERY_BROKER_URL": REDIS})

    assert status == 200
    # The production database is shared by this module's tests: its outbox may hold a job.
    outbox = body.pop("outbox")
    assert body == {"status": "ok", "database": "up", "cache": "up", "broker": "up"}
    assert outbox.keys() == {"waiting", "oldest_seconds", "given_up", "state"}
    assert outbox["state"] == "ok"


@pytest.mark.django_db
def test_an_outbox_that_nobody_empties_is_degraded_but_stays_in_rotation(client, settings):
    """A broker up but no worker: jobs pile up, and the probe says so."""
    ago = timezone.now() - datetime.timedelta(seconds=settings.OUTBOX_LATE_SECONDS + 60)
    Entry.objects.create(job="core.tasks.send_email", created_at=ago)
    Entry.objects.create(job="core.tasks.send_email")
    Entry.objects.create(job="core.tasks.send_email", created_at=ago, given_up_at=ago)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    backlog = response.json()["outbox"]
    assert (backlog["waiting"], backlog["given_up"], backlog["state"]) == (2, 1, "late")
    assert backlog["oldest_seconds"] >= settings.OUTBOX_LATE_SECONDS + 60

    Entry.objects.filter(created_at=ago).update(done_at=timezone.now())
    assert client.get("/healthz").json()["status"] == "ok"


def test_a_cache_or_broker_down_is_degraded_but_stays_in_rotation(production_env):
    nowhere = f"redis://127.0.0.1:{closed_port()}/0"

    status, body = health_of({**production_env, "REDIS_URL": nowhere, "CELERY_BROKER_URL": REDIS})
    assert (status, body["status"], body["cache"], body["broker"]) == (
        200,
        "degraded",
        "down",
        "up",
    )

    status, body = health_of({**production_env, "REDIS_URL": REDIS, "CELERY_BROKER_URL": nowhere})
    assert (status, body["status"], body["cache"], body["broker"]) == (
        200,
        "degraded",
        "up",
        "down",
    )
