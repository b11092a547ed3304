"""Built a few minutes after changes, once for many; the cache or broker away breaks no save."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from core.cache import CacheAway
from opendata import dumps, schedule, tasks
from tests.factories import PostFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_changes(settings):
    settings.OPENDATA_BUILD_AFTER_CHANGES = True
    settings.OPENDATA_BUILD_DELAY_SECONDS = 240
    with mock.patch.object(tasks.build_dump, "apply_async") as queued:
        yield queued


def test_many_changes_queue_one_build_a_few_minutes_later(after_changes, committed):
    with committed():
        topic = TopicFactory()
    for n in range(20):
        with committed():
            topic.name = f"Topic {n}"
            topic.save()
    with committed():
        PostFactory()

    after_changes.assert_called_once()
    assert after_changes.call_args.kwargs["countdown"] == 240


def test_a_change_after_the_delay_queues_another(after_changes, committed):
    with committed():
        TopicFactory()
    schedule.cache.delete(schedule.MARKER)  # the marker expires with the delay
    with committed():
        TopicFactory()

    assert after_changes.call_count == 2


def test_nothing_is_queued_before_the_write_commits_nor_when_turned_off(
    after_changes, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        TopicFactory()
    after_changes.assert_not_called()

    settings.OPENDATA_BUILD_AFTER_CHANGES = False
    with django_capture_on_commit_callbacks(execute=True):
        TopicFactory()
    after_changes.assert_not_called()


def test_with_the_cache_away_a_save_still_works_and_queues_a_build(
    after_changes, monkeypatch, committed
):
    def away(*args, **kwargs):
        raise CacheAway("Redis did not answer")  # what core.cache raises with Redis down

    monkeypatch.setattr(schedule.cache, "add", away)
    with committed():
        topic = TopicFactory()
        topic.name = "Mercury"
        topic.save()

    assert topic.pk
    assert after_changes.call_count == 2  # no marker: each change asks, the builds dedupe


def test_with_the_broker_away_a_save_still_works(after_changes, committed):
    after_changes.side_effect = ConnectionRefusedError("no broker")
    with committed():
        topic = TopicFactory()

    assert topic.pk


def test_a_build_asked_for_before_the_last_one_is_skipped(portal):
    asked = timezone.now() - datetime.timedelta(seconds=5)
    assert tasks.build_dump(requested_at=asked.isoformat()) == "built"
    assert tasks.build_dump(requested_at=asked.isoformat()) == "skipped"

    later = dumps.stored_dump().built_at + datetime.timedelta(seconds=1)
    assert tasks.build_dump(requested_at=later.isoformat()) == "built"
    assert tasks.build_dump() == "built"  # the daily build always builds


def test_two_beats_build_the_daily_dump_once_and_changes_still_build(portal, monkeypatch):
    builds = []
    build = dumps.dump_build
    monkeypatch.setattr(dumps, "dump_build", lambda: builds.append(1) or build())

    assert tasks.daily_build.apply(throw=True).result == "built"  # beat A's, run by a worker
    assert tasks.daily_build.apply(throw=True).result is None  # beat B's: skipped
    assert len(builds) == 1

    # A build a few minutes after a change is not held back by the daily one's lock.
    later = dumps.stored_dump().built_at + datetime.timedelta(seconds=1)
    assert tasks.build_dump.apply(kwargs={"requested_at": later.isoformat()}).result == "built"
    assert len(builds) == 2


def test_the_beat_schedule_names_the_once_a_day_build(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["opendata-daily-build"]
    assert entry["task"] == tasks.daily_build.name == "opendata.tasks.daily_build"
