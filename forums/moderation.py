"""Moderation: the services that decide on posts, threads, flags and people. Each checks that
its moderator may act here, needs a reason where the author deserves one, writes the change
and its log entry in one transaction, and tells the author after commit, in their language.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.tasks import queue_email

from . import permissions
from .models import (
    Action,
    Flag,
    ModerationLogEntry,
    PostStatus,
    Suspension,
)
from .notifications import absolute_url
from .services import forum_refresh, post_status_changed, refresh_counts

# decision -> (statuses it applies to, the status it sets, reason required)
POST_DECISIONS = {
    Action.APPROVE: ({PostStatus.PENDING}, PostStatus.APPROVED, False),
    Action.REJECT: ({PostStatus.PENDING}, PostStatus.REJECTED, True),
    Action.HIDE: ({PostStatus.APPROVED}, PostStatus.HIDDEN, True),
    Action.RESTORE: ({PostStatus.HIDDEN}, PostStatus.APPROVED, False),
}
THREAD_FLAGS = {
    Action.LOCK: ("is_locked", True),
    Action.UNLOCK: ("is_locked", False),
    Action.PIN: ("is_pinned", True),
    Action.UNPIN: ("is_pinned", False),
}


def log(*, actor, action, target, reason="", before=None, after=None, forum=None, user=None):
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


def require_reason(reason, needed):
    if needed and not reason.strip():
        raise ValidationError(_("Give a reason: the author will read it."), code="no_reason")


@transaction.atomic
def post_decide(*, moderator, post, decision, reason=""):
    """Approve or reject a pending post, hide an approved one, restore a hidden one."""
    forum = post.thread.forum
    if not permissions.can_moderate(moderator, forum):
        raise PermissionDenied
    applies_to, new_status, reason_needed = POST_DECISIONS[decision]
    if post.status not in applies_to:
        raise ValidationError(
            _("This post is %(status)s: it cannot be %(decision)s.")
            % {"status": post.get_status_display().lower(), "decision": decision},
            code="wrong_status",
        )
    require_reason(reason, reason_needed)
    before = post.status
    post.status = new_status
    post.save(update_fields=["status"])
    post_status_changed(post=post)
    post.flags.filter(resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=moderator
    )
    log(
        actor=moderator,
        action=decision,
        target=post,
        reason=reason,
        before={"status": before},
        after={"status": new_status},
        forum=forum,
        user=post.author,
    )
    tell_author(post, decision, reason)
    return post


@transaction.atomic
def thread_set(*, moderator, thread, action, reason="", to_forum=None):
    """Lock, unlock, pin or unpin a thread, or move it to another forum."""
    if not permissions.can_moderate(moderator, thread.forum):
        raise PermissionDenied
    if action == Action.MOVE:
        if to_forum is None or not permissions.can_moderate(moderator, to_forum):
            raise PermissionDenied
        before, after = {"forum": thread.forum.slug}, {"forum": to_forum.slug}
        old_forum, thread.forum = thread.forum, to_forum
        thread.save(update_fields=["forum"])
        refresh_counts(thread=thread)
        forum_refresh(forum=old_forum)
    else:
        field, value = THREAD_FLAGS[action]
        before, after = {field: getattr(thread, field)}, {field: value}
        setattr(thread, field, value)
        thread.save(update_fields=[field])
    log(
        actor=moderator,
        action=action,
        target=thread,
        reason=reason,
        before=before,
        after=after,
        forum=thread.forum,
    )
    return thread


@transaction.atomic
def consultation_close(*, facilitator, thread, outcome):
    """Close a consultation with its outcome, which every reader then sees above the replies."""
    if not permissions.can_facilitate(facilitator, thread):
        raise PermissionDenied
    if thread.is_closed:
        raise ValidationError(_("This consultation is closed already."), code="closed")
    if not outcome.strip():
        raise ValidationError(_("Write the outcome before closing."), code="no_outcome")
    thread.outcome = outcome
    thread.closed_at = timezone.now()
    thread.closed_by = facilitator
    # Only what closing changes: counts kept on the thread are the recount's to write.
    thread.save(update_fields=["outcome", "outcome_html", "closed_at", "closed_by"])
    log(
        actor=facilitator,
        action=Action.CLOSE,
        target=thread,
        reason=outcome,
        after={"closed_at": thread.closed_at.isoformat()},
        forum=thread.forum,
    )
    return thread


@transaction.atomic
def user_suspend(*, moderator, user, reason, until=None):
    """Stop a user writing anywhere until `until` (None: until lifted). Moderators only."""
    if not permissions.is_moderator(moderator) or user.pk == moderator.pk:
        raise PermissionDenied
    require_reason(reason, True)
    if until is not None and until <= timezone.now():
        raise ValidationError(_("The end of a suspension must be in the future."), code="past")
    suspension = Suspension.objects.create(
        user=user, reason=reason, until=until, created_by=moderator
    )
    log(
        actor=moderator,
        action=Action.SUSPEND,
        target=user,
        reason=reason,
        after={"until": until.isoformat() if until else None},
        user=user,
    )
    tell_user(user, "suspended", {"reason": reason, "until": until})
    return suspension


@transaction.atomic
def suspension_lift(*, moderator, suspension, reason=""):
    if not permissions.is_moderator(moderator):
        raise PermissionDenied
    if suspension.lifted_at is not None:
        return suspension
    suspension.lifted_at = timezone.now()
    suspension.save(update_fields=["lifted_at"])
    log(
        actor=moderator,
        action=Action.LIFT,
        target=suspension.user,
        reason=reason,
        user=suspension.user,
    )
    tell_user(suspension.user, "lifted", {"reason": reason})
    return suspension


@transaction.atomic
def post_flag(*, user, post, reason, note=""):
    """A reader reports a post. Enough readers, and it is hidden until a moderator decides."""
    if not (permissions.may_write(user) and permissions.can_view_post(user, post)):
        raise PermissionDenied
    if post.author_id == user.pk:
        raise ValidationError(_("You cannot flag your own post."), code="own")
    if post.flags.filter(user=user).exists():
        raise ValidationError(_("You have flagged this post already."), code="twice")
    flag = Flag.objects.create(post=post, user=user, reason=reason, note=note)
    open_flags = post.flags.filter(resolved_at__isnull=True).values("user").distinct().count()
    if post.status == PostStatus.APPROVED and open_flags >= settings.FORUM_FLAGS_TO_HIDE:
        post.status = PostStatus.HIDDEN
        post.save(update_fields=["status"])
        post_status_changed(post=post)
        log(
            actor=None,
            action=Action.AUTO_HIDE,
            target=post,
            before={"status": PostStatus.APPROVED},
            after={"status": PostStatus.HIDDEN, "flags": open_flags},
            forum=post.thread.forum,
            user=post.author,
        )
    return flag


def tell_author(post, decision, reason):
    """The author learns what became of their post, and why."""
    if decision == Action.APPROVE and not reason:
        return
    link = absolute_url(post.get_absolute_url()) if decision != Action.REJECT else ""
    tell_user(
        post.author,
        "decision",
        {"post": post, "decision": decision, "reason": reason, "link": link},
    )


def tell_user(user, template, context):
    if not user.email or user.deleted_at:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            **context,
            "reader": user,
            "conduct_url": absolute_url(reverse("portal:page", kwargs={"slug": "code-of-conduct"})),
        }
        subject = render_to_string(f"forums/email/{template}_subject.txt", context)
        body = render_to_string(f"forums/email/{template}.txt", context)
    queue_email(
        EmailMessage(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
            body,
            to=[user.email],
            headers={"Auto-Submitted": "auto-generated"},
        )
    )


@transaction.atomic
def verification_decide(*, moderator, request, approve, reason=""):
    """Verify a stakeholder's affiliation, or refuse with a reason they will read."""
    from accounts.models import VerificationRequest

    if not permissions.is_moderator(moderator) or request.user_id == moderator.pk:
        raise PermissionDenied
    if request.status != VerificationRequest.Status.OPEN:
        raise ValidationError(_("This request has been decided already."), code="decided")
    require_reason(reason, not approve)
    now = timezone.now()
    request.status = (
        VerificationRequest.Status.APPROVED if approve else VerificationRequest.Status.REFUSED
    )
    request.decided_at, request.decided_by, request.reason = now, moderator, reason
    request.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    user = request.user
    if approve:
        user.affiliation_verified_at = now
        user.save(update_fields=["affiliation_verified_at"])
    log(
        actor=moderator,
        action=Action.VERIFY if approve else Action.REFUSE_VERIFICATION,
        target=user,
        reason=reason,
        after={"verified": approve},
        user=user,
    )
    tell_user(user, "verification", {"approved": approve, "reason": reason})
    return request


@transaction.atomic
def verification_withdraw(*, moderator, user, reason):
    if not permissions.is_moderator(moderator):
        raise PermissionDenied
    require_reason(reason, True)
    if user.affiliation_verified_at is None:
        return user
    before = user.affiliation_verified_at.isoformat()
    user.affiliation_verified_at = None
    user.save(update_fields=["affiliation_verified_at"])
    log(
        actor=moderator,
        action=Action.WITHDRAW_VERIFICATION,
        target=user,
        reason=reason,
        before={"verified_at": before},
        after={"verified_at": None},
        user=user,
    )
    tell_user(user, "verification", {"approved": False, "withdrawn": True, "reason": reason})
    return user


def decisions_on(posts):
    """{post id: its latest moderation log entry}, for the posts given: one query."""
    ids = [post.pk for post in posts if post.status != PostStatus.APPROVED]
    if not ids:
        return {}
    entries = ModerationLogEntry.objects.filter(target_type="post", target_id__in=ids)
    latest = {}
    for entry in entries.order_by("created_at", "pk"):
        latest[entry.target_id] = entry
    return latest
