"""The programme's newsletter: its readers (subscribers, who need no account), the issues editors
write and the weekly alerts, and one delivery row per reader and issue, which is what makes
sending exactly once."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publications.models import Kind as StudyKind

ENGLISH, FRENCH = "en", "fr"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def validate_one_line(value: str) -> None:
    """A header's text: a line break or other control character would start another header."""
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise ValidationError(
            _("Write it on one line, without line breaks or control characters."), code="one_line"
        )


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        """Confirmed and not unsubscribed: the only addresses anything is sent to."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)

    def with_address(self, email: str):
        return self.filter(email__iexact=email.strip())

    def interested_in(self, *, sites=(), topics=(), kinds=()):
        """Readers of a segment: those who chose one of these sites, topics or kinds of study,
        and those who chose nothing (they asked for everything). No segment: everyone.

        Sites and topics may be querysets (an issue's own): they stay subqueries, and whether
        the segment is empty is asked inside the same query, so that a reach costs one."""
        lazy = isinstance(sites, models.QuerySet) or isinstance(topics, models.QuerySet)
        if not lazy and not (sites or topics or kinds):
            return self
        chose_nothing = Q(sites__isnull=True, topics__isnull=True, kind_interests__isnull=True)
        chose_one = Q(sites__in=sites) | Q(topics__in=topics)
        chose_one |= Q(kind_interests__kind__in=kinds)
        matching = Q(pk__in=Subscriber.objects.filter(chose_nothing | chose_one).values("pk"))
        if lazy and not kinds:
            matching |= ~Exists(sites) & ~Exists(topics)
        return self.filter(matching)

    def reach(self) -> dict:
        """How many readers, in each language, in one query."""
        counts = self.aggregate(
            total=Count("pk"),
            en=Count("pk", filter=Q(language=ENGLISH)),
            fr=Count("pk", filter=Q(language=FRENCH)),
        )
        return counts


class Subscriber(models.Model):
    """An address that asked for the newsletter. Nothing is sent to it before it is confirmed
    (double opt-in), nor after it unsubscribed. `token` is the credential of its links to
    change interests and to unsubscribe; `confirm_nonce` makes a confirmation link single use."""

    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=100, blank=True, validators=[validate_one_line])
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default=ENGLISH
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="newsletter_subscription",
    )
    sites = models.ManyToManyField(
        "casesites.Site", verbose_name=_("sites"), blank=True, related_name="+"
    )
    topics = models.ManyToManyField(
        "publications.Topic", verbose_name=_("themes"), blank=True, related_name="+"
    )
    alerts = models.BooleanField(
        _("weekly alerts"),
        default=True,
        help_text=_("A weekly email of new studies, sites and consultations that match."),
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    confirm_nonce = models.CharField(max_length=64, blank=True, editable=False)
    # The last confirmation (or "you are already subscribed") email: at most one in a while.
    prompted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("subscribed"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    unsubscribed_from = models.ForeignKey(
        "Issue",
        verbose_name=_("unsubscribed from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="unsubscribed",
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter reader")
        verbose_name_plural = _("newsletter readers")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_one_reader_per_address")
        ]

    def __str__(self):
        return self.email

    @property
    def preferred_language(self) -> str:
        """What core.emails.render_email asks of a reader."""
        return self.language

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    @property
    def kinds(self) -> list[str]:
        return [interest.kind for interest in self.kind_interests.all()]

    def manage_url(self) -> str:
        return reverse("newsletter:manage", kwargs={"token": self.token})

    def unsubscribe_url(self, issue=None) -> str:
        url = reverse("newsletter:unsubscribe", kwargs={"token": self.token})
        return f"{url}?issue={issue.pk}" if issue is not None else url


class KindInterest(models.Model):
    """A kind of study a reader asked to hear about."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="kind_interests"
    )
    kind = models.CharField(_("kind of study"), max_length=20, choices=StudyKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "kind"], name="newsletter_kind_once")
        ]

    def __str__(self):
        return self.kind


class IssueKind(models.TextChoices):
    LETTER = "letter", _("Newsletter")
    ALERTS = "alerts", _("Weekly alerts")


class IssueState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class IssueQuerySet(models.QuerySet):
    def archived(self):
        """Editors' issues that went out: the public archive and its feed."""
        return self.filter(kind=IssueKind.LETTER, state=IssueState.SENT).order_by("-sent_at", "-pk")

    def due(self, now=None):
        return self.filter(state=IssueState.SCHEDULED, send_at__lte=now or timezone.now())


class Issue(models.Model):
    """An issue editors write in Markdown, in English and French, for every reader or for a
    segment (readers of some sites, themes or kinds of study); or a week's alerts, which each
    reader gets made of what matches their interests."""

    kind = models.CharField(
        _("kind"), max_length=10, choices=IssueKind.choices, default=IssueKind.LETTER
    )
    subject = models.CharField(
        _("subject in English"), max_length=150, validators=[validate_one_line]
    )
    subject_fr = models.CharField(
        _("subject in French"), max_length=150, blank=True, validators=[validate_one_line]
    )
    body = models.TextField(
        _("text in English"), blank=True, help_text=_("Markdown. Images are not shown.")
    )
    body_fr = models.TextField(
        _("text in French"),
        blank=True,
        help_text=_("Markdown. Left empty, French readers get the English text."),
    )
    sites = models.ManyToManyField(
        "casesites.Site",
        verbose_name=_("for readers of these sites"),
        blank=True,
        related_name="+",
    )
    topics = models.ManyToManyField(
        "publications.Topic",
        verbose_name=_("for readers of these themes"),
        blank=True,
        related_name="+",
    )
    kinds = models.JSONField(_("for readers of these kinds of study"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=IssueState.choices, default=IssueState.DRAFT
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    # For the weekly alerts: what happened in [period_start, period_end).
    period_start = models.DateTimeField(null=True, blank=True, editable=False)
    period_end = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["period_end"],
                condition=Q(kind="alerts"),
                name="newsletter_one_alerts_per_period",
            )
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("newsletter:issue", kwargs={"pk": self.pk})

    def subject_in(self, language: str) -> str:
        return (self.subject_fr if language == FRENCH else "") or self.subject

    def body_in(self, language: str) -> str:
        return (self.body_fr if language == FRENCH else "") or self.body

    def readers(self):
        """The readers it is for, now: active, and in its segment."""
        readers = Subscriber.objects.active()
        if self.kind == IssueKind.ALERTS:
            return readers.filter(alerts=True)
        return readers.interested_in(
            sites=self.sites.values("pk"), topics=self.topics.values("pk"), kinds=self.kinds
        )


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class Delivery(models.Model):
    """One reader's copy of one issue. It is marked sent, in its own committed write, before
    the mail server may take the message (newsletter.mailer): a copy that a worker killed
    mid-batch never marked is sent again by the next; one it marked is never sent twice."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    batch = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_one_copy_per_reader"
            )
        ]
        indexes = [models.Index(fields=["issue", "batch", "state"])]

    def __str__(self):
        return f"{self.issue_id} → {self.subscriber_id}: {self.state}"
