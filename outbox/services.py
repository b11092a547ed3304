"""Recording, relaying and running the outbox's entries."""

import functools
import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from .jobs import find
from .models import Entry

logger = logging.getLogger(__name__)

# A failed job is tried again after 30 s, 1 min, 2 min... at most an hour apart.
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600
# While the database is away, a job's outcome is written again after 0.5 s, 1 s... 10 s apart.
WRITE_RETRY_FIRST_PAUSE, WRITE_RETRY_LONGEST_PAUSE = 0.5, 10


def record(job: Callable, *, key: uuid.UUID | None = None, **kwargs) -> Entry:
    """Record that `job(**kwargs)` must run, in the current transaction: if the write that
    calls for it rolls back, so does this. Once committed, it is handed to Celery at once; if
    the broker cannot take it then, the relay hands it over later."""
    return record_many(job, [kwargs], keys=[key or uuid.uuid4()])[0]


def record_many(job: Callable, calls: list[dict], *, keys: list[uuid.UUID]) -> list[Entry]:
    """record() for many calls of one job, in one INSERT. Nothing to record, no query."""
    if not calls:
        return []
    entries = Entry.objects.bulk_create(
        Entry(job=job.job_name, kwargs=kwargs, key=key)
        for kwargs, key in zip(calls, keys, strict=True)
    )
    entry_ids = [entry.pk for entry in entries]
    transaction.on_commit(lambda: hand_over(entry_ids), robust=True)
    return entries


def hand_over(entry_ids: list[int]) -> int:
    """Queue each entry's task, in order, until the broker refuses one (the relay tries again
    with the rest). Returns how many were handed over."""
    from .tasks import run_entry  # the tasks module imports this one

    # Marked first, in one UPDATE: a task may run, and fail, before publishing returns.
    Entry.objects.filter(pk__in=entry_ids).waiting().update(relayed_at=timezone.now())
    for handed, entry_id in enumerate(entry_ids):
        try:
            # No publishing retries: a broker that is away must not hold up the request that
            # wrote the entry. The relay retries.
            run_entry.apply_async(args=[entry_id], retry=False)
        except Exception:  # kombu raises the transport's own errors
            logger.warning(
                "outbox: %s entries left for the relay: the broker refused",
                len(entry_ids) - handed,
                exc_info=True,
            )
            Entry.objects.filter(pk__in=entry_ids[handed:]).waiting().update(relayed_at=None)
            return handed
    return len(entry_ids)


def relay() -> int:
    """Hand every due entry to Celery, oldest first; stop at the first refusal (the broker is
    away: the next run goes on). Returns how many were handed over."""
    now = timezone.now()
    redeliver_before = now - timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS)
    due = Entry.objects.due(now=now, redeliver_before=redeliver_before).order_by("next_attempt_at")
    handed = hand_over(list(due.values_list("pk", flat=True)[: settings.OUTBOX_RELAY_BATCH]))
    forget_done()
    return handed


def forget_done() -> int:
    before = timezone.now() - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    deleted, _ = Entry.objects.filter(done_at__lt=before).delete()
    return deleted


def run(entry_id: int) -> str:
    """Run the entry's job once. Returns "done", "failed", "given up" or "skipped" (done, or
    being run, elsewhere). A job that raises is tried again later, with its error kept."""
    entry = Entry.objects.filter(pk=entry_id).waiting().only("job").first()
    if entry is None:
        return "skipped"
    try:
        job = find(entry.job)
    except LookupError:
        job = None  # fails in the transaction, with its error kept
    if job is not None and job.job_outside:
        return run_outside(entry_id, job)
    return run_inside(entry_id)


def run_inside(entry_id: int) -> str:
    """The entry's row stays locked while the job runs, so a second copy of the task (the
    relay's, or the broker's redelivery) skips it, and the job's own writes commit with the
    mark that it is done. If the database fails meanwhile, nothing of it is kept: the task is
    tried again."""
    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update(skip_locked=True).filter(pk=entry_id).waiting().first()
        )
        if entry is None:
            return "skipped"
        entry.attempts += 1
        try:
            with transaction.atomic():
                find(entry.job)(**entry.kwargs)
        except Exception as error:
            return failed(entry, error)
        return done(entry)


def run_outside(entry_id: int, job: Callable) -> str:
    """Claim the entry (committed), run the job outside any transaction, then write what
    happened, waiting for the database if it has gone meanwhile: once a message is sent, only
    a worker killed before that write can send it again. A claim lapses after
    OUTBOX_REDELIVER_SECONDS, when the relay hands the entry over again."""
    now = timezone.now()
    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update(skip_locked=True)
            .filter(pk=entry_id)
            .waiting()
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .first()
        )
        if entry is None:
            return "skipped"
        entry.attempts += 1
        entry.claimed_until = now + timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS)
        entry.save(update_fields=["attempts", "claimed_until"])
    try:
        job(**entry.kwargs)
    except Exception as error:
        return until_written(functools.partial(failed, entry, error))
    return until_written(functools.partial(done, entry))


def until_written(write: Callable[[], str]) -> str:
    """write(), tried again while the database is away, for as long as a claim lasts."""
    deadline = time.monotonic() + settings.OUTBOX_REDELIVER_SECONDS
    pause = WRITE_RETRY_FIRST_PAUSE
    while True:
        try:
            return write()
        except DatabaseError:
            if time.monotonic() + pause > deadline:
                raise
            logger.warning("outbox: the database is away; writing again in %s s", pause)
            connection.close()
            time.sleep(pause)
            pause = min(pause * 2, WRITE_RETRY_LONGEST_PAUSE)


def done(entry: Entry) -> str:
    entry.done_at = timezone.now()
    entry.last_error = ""
    entry.claimed_until = None
    entry.save(update_fields=["attempts", "done_at", "last_error", "claimed_until"])
    return "done"


def failed(entry: Entry, error: Exception) -> str:
    logger.warning("outbox: %s failed (attempt %s): %r", entry, entry.attempts, error)
    now = timezone.now()
    entry.last_error = f"{type(error).__name__}: {error}"[:2000]
    entry.relayed_at = entry.claimed_until = None
    if entry.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        entry.given_up_at = now
    delay = min(FIRST_RETRY_SECONDS * 2 ** (entry.attempts - 1), LONGEST_RETRY_SECONDS)
    entry.next_attempt_at = now + timedelta(seconds=delay)
    entry.save()
    return "given up" if entry.given_up_at else "failed"


def try_again(entries) -> int:
    """Give entries that were given up a fresh start (from the admin)."""
    return entries.filter(done_at__isnull=True).update(
        given_up_at=None, attempts=0, next_attempt_at=timezone.now(), relayed_at=None
    )
