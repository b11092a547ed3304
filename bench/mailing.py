"""Sending an issue of the newsletter to BENCH_READERS confirmed readers (10,000) through a real
SMTP server: aiosmtpd in a thread of this process on a free port, behind Django's SMTP backend
(so newsletter.mailer's split DATA, one UPDATE committed per copy before its end).

`make bench` runs it on SQLite and on the local PostgreSQL (DATABASE_URL overrides), in a
throwaway database. issue_start makes the deliveries and records the batches; the batches are
then run here one by one through the outbox's run(), as a worker would (the hand-over to Celery
is left out). Reported: the time of each step and messages per second; the queries of the
first and the last batch, which must be equal (a batch's cost does not grow with the
audience); peak Python memory (tracemalloc, on a second issue to the same readers: tracing
slows Python down, so the first is timed untraced) and the process's maximum resident size.
"""

import logging
import os
import resource
import sys
import threading
import time
import tracemalloc

from common import free_port, setup_django, throwaway_database

SMTP_PORT = free_port()
os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{SMTP_PORT}"
os.environ.pop("CELERY_BROKER_URL", None)
setup_django()

from aiosmtpd.controller import Controller  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

import outbox.services  # noqa: E402
from core.emails import site_url  # noqa: E402
from newsletter import sending  # noqa: E402
from newsletter.models import Delivery, DeliveryState, Issue, IssueState, Subscriber  # noqa: E402
from outbox.models import Entry  # noqa: E402

READERS = int(os.environ.get("BENCH_READERS", "10000"))


class Counting:
    """The mail server's side: how many messages each address got."""

    def __init__(self):
        self.received: dict[str, int] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received[address] = self.received.get(address, 0) + 1
        return "250 Message accepted"


class Counted:
    """Counts a batch's queries (as CaptureQueriesContext would, without keeping their text)."""

    queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def fill():
    now = timezone.now()
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                email=f"reader{n}@example.org",
                name=f"Lecteur {n} é" if n % 2 else f"Reader {n}",
                language="fr" if n % 2 else "en",
                confirmed_at=now,
            )
            for n in range(READERS)
        ),
        batch_size=2000,
    )


def new_issue(number: int) -> Issue:
    body = "\n\n".join(
        f"## Part {part}\n\nThe **Itombwe** study is out. [Read it](https://example.org/{part})."
        for part in range(8)
    )
    return Issue.objects.create(
        subject=f"News from the sites, number {number}",
        subject_fr=f"Nouvelles des sites, numéro {number}",
        body=body,
        body_fr=body.replace("The", "L\u2019étude").replace("study is out", "est parue"),
    )


def send(issue: Issue) -> dict:
    """issue_start, then every batch through the outbox's run(): times and queries."""
    start = time.perf_counter()
    readers = sending.issue_start(issue=issue)
    started = time.perf_counter()
    queries = []
    entries = Entry.objects.filter(job=sending.send_batch.job_name, done_at__isnull=True)
    for entry_id in entries.order_by("pk").values_list("pk", flat=True):
        counted = Counted()
        with connection.execute_wrapper(counted):
            assert outbox.services.run(entry_id) == "done"
        queries.append(counted.queries)
    end = time.perf_counter()
    issue.refresh_from_db()
    assert issue.state == IssueState.SENT, issue.state
    sent = Delivery.objects.filter(issue=issue, state=DeliveryState.SENT).count()
    assert sent == readers == READERS, (sent, readers)
    return {
        "start": started - start,
        "batches": end - started,
        "total": end - start,
        "queries": queries,
    }


def main():
    # The batches are run below, one by one: not handed to Celery (eager, it would run them all
    # inside issue_start).
    outbox.services.hand_over = lambda entry_ids: 0
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = Counting()
    controller = Controller(server, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        with throwaway_database():
            fill()
            site_url()  # cached for the process: a worker has it once it has sent anything
            timed = send(new_issue(1))
            tracemalloc.start()
            traced = send(new_issue(2))
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    finally:
        controller.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = set(server.received.values())
    batches = timed["queries"]

    print(f"{connection.vendor}: one issue to {READERS:,} readers through aiosmtpd (this process)")
    print(f"{'step':<44}{'time':>10}{'messages/s':>12}")
    print(f"{'issue_start (deliveries, batches recorded)':<44}{timed['start']:>8.2f} s")
    print(f"{f'{len(batches)} batches of {sending.BATCH_SIZE} (outbox run())':<44}"
          f"{timed['batches']:>8.2f} s{READERS / timed['batches']:>12.0f}")  # fmt: skip
    print(f"{'the whole issue':<44}{timed['total']:>8.2f} s{READERS / timed['total']:>12.0f}")
    print(f"{'the same, traced by tracemalloc (2nd issue)':<44}{traced['total']:>8.2f} s")
    print(f"queries per batch: first {batches[0]}, last {batches[-1]}, all {sorted(set(batches))}")
    print(f"peak Python memory (tracemalloc, 2nd issue): {peak / 2**20:.1f} MiB")
    print(f"process's maximum resident size: {max_rss:.0f} MiB (the fill included)")
    print(f"messages per reader at the server: {sorted(counts)} over {len(server.received)}")
    if batches[0] != batches[-1] or traced["queries"][0] != traced["queries"][-1]:
        sys.exit("the last batch made more queries than the first")
    if counts != {2} or len(server.received) != READERS:
        sys.exit("some reader did not get each issue exactly once")


if __name__ == "__main__":
    main()
