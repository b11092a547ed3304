from celery import shared_task

from . import services


# acks_late: a worker killed while running it leaves the message to be delivered again; the
# entry's lock and done mark make the second run a no-op if the first had finished.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_entry(entry_id: int) -> str:
    return services.run(entry_id)


@shared_task(ignore_result=True)
def relay() -> int:
    return services.relay()
