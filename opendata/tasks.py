import datetime

from celery import shared_task

from outbox.periodic import once_per_period

from . import dumps

DAY = 24 * 3600


@shared_task(ignore_result=True)
def build_dump(requested_at: str | None = None) -> str:
    """Build the open-data dump: daily (beat), and a few minutes after changes (schedule.py).
    A build asked for at `requested_at` is skipped if one built since has the change already
    (several were queued while the cache, which keeps them to one, was away)."""
    if requested_at and dumps.built_since(datetime.datetime.fromisoformat(requested_at)):
        return "skipped"
    dumps.dump_build()
    return "built"


@shared_task(ignore_result=True)
@once_per_period(DAY)
def daily_build() -> str:
    """The daily build (beat), once a day however many beats send it; builds after changes
    (build_dump with `requested_at`) are not held back by it."""
    return build_dump()
