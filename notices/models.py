"""What a person is told on the site: one row per person and cause, read or not.

A notice names its cause (`cause`: "post:12", "log:7"...), so that a job run twice tells nobody
twice; its `target` is what it links to and what the reader must still be allowed to see when it
is shown (apps above answer for their targets: notices.presenters). A person's count of unread
notices is read on every page they see, from a partial index of the unread.
"""

from django.conf import settings
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REPLY = "reply", _("A reply to one of my posts")
    QUOTE = "quote", _("A quote of one of my posts")
    MENTION = "mention", _("A mention of me (@handle)")
    FOLLOWED = "followed", _("A new post in a thread or forum I follow")
    DECISION = "decision", _("A moderator's decision on one of my posts")
    FLAG_OUTCOME = "flag_outcome", _("The outcome of a post I flagged")
    VERIFICATION = "verification", _("A decision on my affiliation")
    CONSULTATION = "consultation", _("A consultation I took part in, closed with its outcome")
    NEW_STUDY = "new_study", _("A new study in a topic I follow")
    NEW_SITE = "new_site", _("A new case-study site about a topic I follow")


# The kinds about one post, most specific first: a person is told of a post once, by the first
# of these that applies to them.
POST_KINDS = (Kind.MENTION, Kind.REPLY, Kind.QUOTE, Kind.FOLLOWED)
# The kinds a person chooses to receive by email or not; new posts in what they follow come by
# email as each subscription says.
EMAILED_KINDS = tuple(kind for kind in Kind.values if kind != Kind.FOLLOWED)


# Raw: read for the header of signed-in pages whenever a reader's notices change; the ORM's
# count of a sliced queryset cost 2.5 ms of Python, this 0.2 ms. The partial index of unread
# notices answers it.
UNREAD_SQL = """
    SELECT COUNT(*) FROM (
        SELECT 1 FROM notices_notice WHERE user_id = %s AND read_at IS NULL LIMIT %s
    ) AS unread
"""


class NoticeQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def unread_count_of(self, user_id: int, *, at_most: int) -> int:
        """How many notices of this person are unread, counting no further than `at_most`."""
        with connections[self.db].cursor() as cursor:
            cursor.execute(UNREAD_SQL, [user_id, at_most])
            (count,) = cursor.fetchone()
        return count

    def about(self, target_type: str, target_ids):
        return self.filter(target_type=target_type, target_id__in=list(target_ids))


class Notice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # What happened, where a kind has several outcomes: "approve", "hide"; "approved"...
    verb = models.CharField(max_length=16, blank=True)
    cause = models.CharField(max_length=40)
    target_type = models.CharField(max_length=16)
    target_id = models.PositiveBigIntegerField()
    # Notices of one topic ("thread:3") are shown together when they are of the same kind.
    topic = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(fields=("user", "kind", "cause"), name="notices_once"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notices_newest"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notices_unread"),
            models.Index(fields=["target_type", "target_id"], name="notices_target"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.kind} {self.cause}"


class EmailOff(models.Model):
    """A kind of notice this person wants on the site only, not by email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="emails_off"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("user", "kind"), name="notices_email_off_once"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.kind}"
