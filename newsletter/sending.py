"""Sending an issue: its deliveries are made in one transaction, in batches of BATCH_SIZE, each
batch an outbox job (outbox/) that a Celery worker runs and that is handed over again if its
worker dies. A batch sends only the copies still waiting, and marks each sent before the mail
server can keep it (newsletter.mailer): every reader gets the issue exactly once.

A batch costs the same few queries whatever the audience, plus one UPDATE per copy: that write,
committed on its own, is what a worker killed mid-batch leaves behind to say what it sent.
"""

import logging
import smtplib
import uuid

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from core import pagecache
from outbox.jobs import job
from outbox.services import record_many

from . import mailer
from .letters import Letter
from .models import Delivery, DeliveryState, Issue, IssueKind, IssueState, Subscriber

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
PENDING, SENT, FAILED, SKIPPED = (
    DeliveryState.PENDING,
    DeliveryState.SENT,
    DeliveryState.FAILED,
    DeliveryState.SKIPPED,
)


class Taken(Exception):
    """Another worker marked this copy sent first: this one must not reach the server."""


def issue_start(*, issue: Issue) -> int:
    """Make the issue's deliveries, one per reader it is for now, and queue their batches.
    Safe to call twice: an issue is started once. Returns how many readers it goes to."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.state in (IssueState.SENDING, IssueState.SENT):
            return 0
        reader_ids = list(issue.readers().order_by("pk").values_list("pk", flat=True))
        Delivery.objects.bulk_create(
            (
                Delivery(issue=issue, subscriber_id=reader_id, batch=number // BATCH_SIZE)
                for number, reader_id in enumerate(reader_ids)
            ),
            batch_size=2000,
        )
        batches = range((len(reader_ids) + BATCH_SIZE - 1) // BATCH_SIZE)
        record_many(
            send_batch,
            [{"issue_id": issue.pk, "batch": batch} for batch in batches],
            keys=[batch_key(issue, batch) for batch in batches],
        )
        issue.state = IssueState.SENDING
        issue.started_at = timezone.now()
        if not reader_ids:
            issue.state, issue.sent_at = IssueState.SENT, issue.started_at
        issue.save(update_fields=["state", "started_at", "sent_at"])
    return len(reader_ids)


def batch_key(issue: Issue, batch: int) -> uuid.UUID:
    """The batch's outbox key: the same batch is never queued twice."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"newsletter:{issue.pk}:{batch}")


@job(outside=True)
def send_batch(*, issue_id: int, batch: int) -> None:
    """Send the batch's waiting copies. A copy the mail server refuses for good is marked
    failed; one it cannot take now is left waiting and the batch raises at its end, so that the
    outbox tries it again later."""
    issue = Issue.objects.get(pk=issue_id)
    deliveries = list(
        Delivery.objects.filter(issue_id=issue_id, batch=batch, state=PENDING)
        .select_related("subscriber")
        .order_by("pk")
    )
    if deliveries:
        letter = letter_for(issue, [delivery.subscriber for delivery in deliveries])
        retry = send_copies(letter, deliveries)
    else:
        retry = 0
    finish(issue_id)
    if retry:
        raise smtplib.SMTPException(f"{retry} copies could not be sent now; tried again later")


def letter_for(issue: Issue, readers: list[Subscriber]) -> Letter:
    if issue.kind == IssueKind.ALERTS:
        from .alerts import AlertsLetter

        return AlertsLetter(issue, readers)
    return Letter(issue)


def send_copies(letter: Letter, deliveries: list[Delivery]) -> int:
    """Send each copy once. Returns how many are left waiting for a retry."""
    connection = mailer.connection()
    retry = 0
    try:
        for delivery in deliveries:
            retry += send_copy(connection, letter, delivery)
    finally:
        connection.close()
    return retry


def send_copy(connection, letter: Letter, delivery: Delivery) -> int:
    reader = delivery.subscriber
    message = letter.message(reader) if reader.is_active else None
    if message is None:  # unsubscribed since, or nothing in the alerts for them
        mark(delivery, SKIPPED, previous=PENDING)
        return 0
    try:
        connection.send_once(message, commit=lambda: claim(delivery))
    except Taken:
        return 0
    except smtplib.SMTPResponseException as error:
        # Refused, at any step: the server has not kept the message.
        return refused(delivery, [(error.smtp_code, error.smtp_error)])
    except smtplib.SMTPRecipientsRefused as error:
        return refused(delivery, list(error.recipients.values()))
    except (OSError, smtplib.SMTPException) as error:
        if delivery.state == SENT:
            # Gone after the end of the message: the server may have kept it. Never twice.
            logger.warning("newsletter: %s may or may not have been sent: %r", delivery.pk, error)
            mark(delivery, FAILED, previous=SENT, error=f"uncertain: {error!r}")
        else:
            return 1  # the server left before the message was whole: it has not got it
    return 0


def refused(delivery: Delivery, answers: list[tuple[int, bytes | str]]) -> int:
    """The server said no: for now (4xx, greylisting, a full queue), the copy waits for the
    batch's retry; for good (5xx), it is failed with the server's words. Returns 1 to retry."""
    if all(400 <= code < 500 for code, _ in answers):
        mark(delivery, PENDING, previous=delivery.state)
        return 1
    words = (
        text.decode(errors="replace") if isinstance(text, bytes) else text for _, text in answers
    )
    refusal = "; ".join(f"{code} {text}" for (code, _), text in zip(answers, words, strict=True))
    mark(delivery, FAILED, previous=delivery.state, error=refusal)
    return 0


def claim(delivery: Delivery) -> None:
    """Mark the copy sent, committed at once, unless another worker did."""
    if not mark(delivery, SENT, previous=PENDING):
        raise Taken
    delivery.state = SENT


def mark(delivery: Delivery, state: str, *, previous: str, error: str = "") -> bool:
    changed = Delivery.objects.filter(pk=delivery.pk, state=previous).update(
        state=state, sent_at=timezone.now() if state == SENT else None, error=error[:300]
    )
    return bool(changed)


def finish(issue_id: int) -> None:
    """Once no copy waits, the issue is sent. One query, whether it is the last batch or not."""
    waiting = Delivery.objects.filter(issue_id=OuterRef("pk"), state=PENDING)
    sent = (
        Issue.objects.filter(pk=issue_id, state=IssueState.SENDING)
        .filter(~Exists(waiting))
        .update(state=IssueState.SENT, sent_at=timezone.now())
    )
    if sent:
        pagecache.bump(pagecache.CONTENT)  # the archive shows it; update() sends no signal


def issue_counts(issues) -> None:
    """Give each issue `counts`: sent, failed, waiting, unsubscribed after it; in two queries."""
    ids = [issue.pk for issue in issues]
    by_state = {
        row["issue_id"]: row
        for row in Delivery.objects.filter(issue_id__in=ids)
        .values("issue_id")
        .annotate(
            sent=Count("pk", filter=Q(state=SENT)),
            failed=Count("pk", filter=Q(state=FAILED)),
            waiting=Count("pk", filter=Q(state=PENDING)),
        )
    }
    unsubscribed = dict(
        Subscriber.objects.filter(unsubscribed_from_id__in=ids)
        .values("unsubscribed_from_id")
        .annotate(count=Count("pk"))
        .values_list("unsubscribed_from_id", "count")
    )
    for issue in issues:
        row = by_state.get(issue.pk, {})
        issue.counts = {
            "sent": row.get("sent", 0),
            "failed": row.get("failed", 0),
            "waiting": row.get("waiting", 0),
            "unsubscribed": unsubscribed.get(issue.pk, 0),
        }


def start_due_issues() -> int:
    """Start every scheduled issue whose time has come (beat, every minute)."""
    due = list(Issue.objects.due().values_list("pk", flat=True))
    for issue_id in due:
        issue_start(issue=Issue(pk=issue_id))
    return len(due)
