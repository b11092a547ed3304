"""The moderation log: every moderator's action, written once and never changed or deleted.

It names people through settings.AUTH_USER_MODEL and what they acted on by kind and id, so
that every app can write to it (services.log) without this app importing any of them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    APPROVE = "approve", _("Approved a post")
    REJECT = "reject", _("Rejected a post")
    HIDE = "hide", _("Hid a post")
    AUTO_HIDE = "auto_hide", _("Post hidden by flags")
    RESTORE = "restore", _("Restored a post")
    KEEP = "keep", _("Kept a flagged post: flags unfounded")
    LOCK = "lock", _("Locked a thread")
    UNLOCK = "unlock", _("Unlocked a thread")
    PIN = "pin", _("Pinned a thread")
    UNPIN = "unpin", _("Unpinned a thread")
    MOVE = "move", _("Moved a thread")
    CLOSE = "close", _("Closed a consultation")
    SUSPEND = "suspend", _("Suspended a user")
    LIFT = "lift", _("Lifted a suspension")
    VERIFY = "verify", _("Verified an affiliation")
    REFUSE_VERIFICATION = "refuse_verification", _("Refused a verification")
    WITHDRAW_VERIFICATION = "withdraw_verification", _("Withdrew a verification")
    ATTEMPT_REFUSED = "attempt_refused", _("Attempt refused")


class LogEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The moderation log cannot be changed.")

    def delete(self):
        raise PermissionError("The moderation log cannot be deleted.")

    def latest_about(self, target_type: str, target_ids) -> dict:
        """{target id: the latest entry about it}, for these targets of one kind: one query."""
        entries = self.filter(target_type=target_type, target_id__in=list(target_ids))
        latest = {}
        for entry in entries.order_by("created_at", "pk"):
            latest[entry.target_id] = entry
        return latest


class ModerationLogEntry(models.Model):
    """One moderation action.

    Targets are named by kind, id and description rather than by foreign key, so the entry
    outlives whatever it is about; the actor's name is copied for the same reason.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    actor_name = models.CharField(_("moderator's name"), max_length=200)
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    target_type = models.CharField(_("kind of target"), max_length=20)
    target_id = models.PositiveBigIntegerField(_("target id"))
    target_repr = models.CharField(_("target"), max_length=300)
    forum_id = models.PositiveBigIntegerField(_("forum id"), null=True, blank=True)
    subject_user_id = models.PositiveBigIntegerField(_("user concerned"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = LogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        ordering = ("-created_at", "-pk")
        default_permissions = ("view", "add")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The moderation log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The moderation log cannot be deleted.")
