from django.db import models
from django.utils.translation import gettext as _

from .models import Action, ModerationLogEntry


def log(
    *,
    actor,
    action: Action,
    target: models.Model,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
    forum=None,
    user=None,
) -> ModerationLogEntry:
    """Write one moderator's action on `target`, in the caller's transaction. No actor: readers'
    flags acted. `forum` is where it happened, `user` the person it concerns, if any."""
    return ModerationLogEntry.objects.create(
        actor=actor,
        actor_name=actor.display_name if actor else _("Readers' flags"),
        action=action,
        target_type=target._meta.model_name,
        target_id=target.pk,
        target_repr=str(target)[:300],
        forum_id=forum.pk if forum else None,
        subject_user_id=user.pk if user else None,
        reason=reason,
        before=before or {},
        after=after or {},
    )
