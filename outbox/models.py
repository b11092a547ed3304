import uuid

from django.db import models
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOT_DONE = Q(done_at__isnull=True)
WAITING = Q(NOT_DONE, given_up_at__isnull=True)


class EntryQuerySet(models.QuerySet):
    def waiting(self):
        """Not done yet, and still tried."""
        return self.filter(WAITING)

    def due(self, *, now, redeliver_before):
        """Waiting entries to hand to Celery now: never handed over, or handed over so long ago
        that the task must have been lost (a broker restarted empty, a worker killed)."""
        return self.waiting().filter(
            Q(relayed_at__isnull=True) | Q(relayed_at__lt=redeliver_before),
            next_attempt_at__lte=now,
        )

    def backlog(self) -> dict:
        """How many wait, since when, and how many were given up: for the admin and /healthz.
        One query, on the index of entries not done."""
        given_up = Q(given_up_at__isnull=False)
        backlog = self.filter(NOT_DONE).aggregate(
            waiting=Count("pk", filter=~given_up),
            oldest_at=Min("created_at", filter=~given_up),
            given_up=Count("pk", filter=given_up),
        )
        oldest = backlog["oldest_at"]
        backlog["oldest_seconds"] = int((timezone.now() - oldest).total_seconds()) if oldest else 0
        return backlog


class Entry(models.Model):
    """One job to run once, with its arguments, recorded with the write that calls for it."""

    job = models.CharField(_("job"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict)
    # The job's idempotency key: an email carries it in its Message-ID.
    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    relayed_at = models.DateTimeField(_("handed to a worker at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A job acting outside the database is claimed until then: no second copy runs it meanwhile.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    given_up_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox entry")
        verbose_name_plural = _("outbox entries")
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=NOT_DONE, name="outbox_not_done"),
            models.Index(fields=["done_at"], name="outbox_done"),
        ]

    def __str__(self):
        return f"{self.job} #{self.pk}"

    @property
    def state(self) -> str:
        if self.done_at:
            return _("done")
        if self.given_up_at:
            return _("given up")
        return _("waiting")
