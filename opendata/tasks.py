import datetime

from celery import shared_task

from . import dumps


@shared_task(ignore_result=True)
def build_dump(requested_at: str | None = None) -> str:
    """Build the open-data dump: daily (beat), and a few minutes after changes (schedule.py).
    A build asked for at `requested_at` is skipped if one built since has the change already
    (several were queued while the cache, which keeps them to one, was away)."""
    if requested_at and dumps.built_since(datetime.datetime.fromisoformat(requested_at)):
        return "skipped"
    dumps.dump_build()
    return "built"
