"""Scheduled jobs run once per period however many beats send them (outbox.periodic): the copies
a worker runs take a lock in the shared cache; direct calls always run; a failed run lets the lock
go; with the cache away the job runs anyway."""

import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import override_settings

from core.cache import CacheAway
from outbox import services, tasks
from outbox.periodic import HOLD, lock_key
from tests.engines import redis_server
from tests.project.conftest import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def relays(monkeypatch):
    """The relay's work, counted: each item one real run of services.relay."""
    runs = []
    monkeypatch.setattr(services, "relay", lambda: runs.append("ran") or 0)
    return runs


def beat_sends(task):
    """What a worker does with the message beat sent (the same request, not a direct call)."""
    return task.apply(throw=True).result


def test_two_beats_in_one_period_relay_once_and_the_next_period_again(relays, settings):
    settings.OUTBOX_RELAY_SECONDS = 1  # read at each run: the lock is kept 1 s (at least)

    assert beat_sends(tasks.relay) == 0
    assert beat_sends(tasks.relay) is None  # the second beat's copy: skipped
    assert relays == ["ran"]

    time.sleep(1.1)  # the next period
    beat_sends(tasks.relay)
    assert beat_sends(tasks.relay) is None
    assert relays == ["ran", "ran"]


def test_the_lock_is_kept_for_most_of_the_period(relays, settings, monkeypatch):
    kept = []
    monkeypatch.setattr(cache, "add", lambda key, value, timeout: kept.append(timeout) or True)
    settings.OUTBOX_RELAY_SECONDS = 10
    beat_sends(tasks.relay)

    assert kept == [int(10 * HOLD)] == [9]


def test_a_direct_call_always_runs(relays):
    beat_sends(tasks.relay)
    tasks.relay()  # as `manage.py relay_outbox` or a test calls it

    assert relays == ["ran", "ran"]


def test_a_run_that_fails_lets_the_lock_go(monkeypatch):
    def broken():
        raise RuntimeError("the database went away mid-run")

    monkeypatch.setattr(services, "relay", broken)
    with pytest.raises(RuntimeError):
        beat_sends(tasks.relay)

    assert cache.get(lock_key(tasks.relay.name)) is None
    monkeypatch.setattr(services, "relay", lambda: 3)
    assert beat_sends(tasks.relay) == 3  # the other beat's copy, or a retry, does the work


def test_with_the_cache_away_the_job_runs_anyway(relays, monkeypatch):
    def away(*args, **kwargs):
        raise CacheAway("Redis did not answer")  # what core.cache raises with Redis down

    monkeypatch.setattr(cache, "add", away)
    beat_sends(tasks.relay)
    beat_sends(tasks.relay)

    assert relays == ["ran", "ran"]  # the relay is safe twice; no beat may stop it


def test_the_lock_is_shared_by_processes_through_redis(relays, tmp_path):
    """Beat A's copy runs here and takes the lock in a real redis-server; beat B's copy runs in
    another process on an empty database: it finds the lock and skips without a query (had it
    run, it would fail on the missing tables)."""
    with redis_server() as (_redis, url):
        shared = {
            "BACKEND": "core.cache.SharedClientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "asmpace",
            "OPTIONS": django_settings.REDIS_OPTIONS,
        }
        with override_settings(CACHES={"default": shared}):
            beat_sends(tasks.relay)
            other = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import django; django.setup(); from outbox import tasks;"
                    "print('result', tasks.relay.apply(throw=True).result)",
                ],
                cwd=ROOT,
                env={
                    "PATH": "/usr/bin:/bin",
                    "DJANGO_SETTINGS_MODULE": "asmpace.settings",
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                    "REDIS_URL": url,
                },
                capture_output=True,
                text=True,
                timeout=60,
            )

    assert other.stdout.split()[-2:] == ["result", "None"], other.stderr[-2000:]
    assert relays == ["ran"]
