from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from . import services
from .periodic import once_per_period


# acks_late: a worker killed while running it leaves the message to be delivered again; the
# entry's lock, claim and done mark make the second run a no-op if the first had finished. The
# database away: the task is tried again shortly, not left to the relay's redelivery.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=20,
)
def run_entry(entry_id: int) -> str:
    return services.run(entry_id)


# Sent by beat every OUTBOX_RELAY_SECONDS: once in that time, however many beats run.
@shared_task(ignore_result=True)
@once_per_period(lambda: settings.OUTBOX_RELAY_SECONDS)
def relay() -> int:
    return services.relay()
