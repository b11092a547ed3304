"""Moderation: the services that decide on posts, threads, flags and people. Each checks that
its moderator may act here, needs a reason where the author deserves one, writes the change
and its log entry in one transaction, and tells the author after commit, in their language.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action, ModerationLogEntry
from audit.services import log
from core.emails import queue_email, render_email
from core.hooks import Part
from outbox.services import record

from . import permissions, tasks
from .models import Flag, FlagReason, Forum, Post, PostQuerySet, PostStatus, Suspension, Thread
from .search import index_thread
from .services import forum_refresh, post_status_changed, refresh_counts

logger = logging.getLogger(__name__)

# decision -> (statuses it applies to, the status it sets, reason required)
POST_DECISIONS = {
    Action.APPROVE: ({PostStatus.PENDING}, PostStatus.APPROVED, False),
    Action.REJECT: ({PostStatus.PENDING}, PostStatus.REJECTED, True),
    Action.HIDE: ({PostStatus.APPROVED}, PostStatus.HIDDEN, True),
    Action.RESTORE: ({PostStatus.HIDDEN}, PostStatus.APPROVED, False),
    # Flags found unfounded: the post stays as it is, and its flags are closed.
    Action.KEEP: ({PostStatus.APPROVED}, PostStatus.APPROVED, False),
}
THREAD_FLAGS = {
    Action.LOCK: ("is_locked", True),
    Action.UNLOCK: ("is_locked", False),
    Action.PIN: ("is_pinned", True),
    Action.UNPIN: ("is_pinned", False),
}


def require_reason(reason: str, needed: bool) -> None:
    if needed and not reason.strip():
        raise ValidationError(_("Give a reason: the author will read it."), code="no_reason")


def decision_check(*, decision: Action, reason: str) -> None:
    """Refuse a decision on posts that needs a reason and has none, before touching any post."""
    require_reason(reason, POST_DECISIONS[decision][2])


@transaction.atomic
def post_decide(*, moderator: User, post: Post, decision: Action, reason: str = "") -> Post:
    """Approve or reject a pending post, hide an approved one, restore a hidden one."""
    forum = post.thread.forum
    if not permissions.can_moderate(moderator, forum):
        raise PermissionDenied
    applies_to, new_status, _reason_needed = POST_DECISIONS[decision]
    if post.status not in applies_to:
        raise ValidationError(
            _("This post is %(status)s: it cannot be %(decision)s.")
            % {"status": post.get_status_display().lower(), "decision": decision},
            code="wrong_status",
        )
    decision_check(decision=decision, reason=reason)
    if decision == Action.KEEP and not post.flags.filter(resolved_at__isnull=True).exists():
        raise ValidationError(_("This post has no open flags to dismiss."), code="no_flags")
    before = post.status
    post.status = new_status
    post.save(update_fields=["status"])
    post_status_changed(post=post)
    open_flags = post.flags.filter(resolved_at__isnull=True)
    flaggers = list(open_flags.values_list("user_id", flat=True))
    open_flags.update(resolved_at=timezone.now(), resolved_by=moderator)
    entry = log(
        actor=moderator,
        action=decision,
        target=post,
        reason=reason,
        before={"status": before},
        after={"status": new_status},
        forum=forum,
        user=post.author,
    )
    record(tasks.tell_decision, log_id=entry.pk, flagger_ids=flaggers)
    return post


@transaction.atomic
def thread_set(
    *,
    moderator: User,
    thread: Thread,
    action: Action,
    reason: str = "",
    to_forum: Forum | None = None,
) -> Thread:
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
        for forum in (old_forum, to_forum):
            forum_refresh(forum=forum)
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
def consultation_close(*, facilitator: User, thread: Thread, outcome: str) -> Thread:
    """Close a consultation with its outcome, which every reader then sees above the replies."""
    if not thread.is_consultation:
        raise ValidationError(_("This thread is not a consultation."), code="not_consultation")
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
    index_thread(thread)  # the outcome is found with the consultation's opening post
    log(
        actor=facilitator,
        action=Action.CLOSE,
        target=thread,
        reason=outcome,
        after={"closed_at": thread.closed_at.isoformat()},
        forum=thread.forum,
    )
    record(tasks.tell_consultation_closed, thread_id=thread.pk)
    return thread


def suspension_check(*, reason: str, until: datetime.datetime | None) -> None:
    """Refuse a suspension without a reason, or one that would already be over."""
    require_reason(reason, True)
    if until is not None and until <= timezone.now():
        raise ValidationError(_("The end of a suspension must be in the future."), code="past")


def may_suspend(moderator: User, user: User) -> bool:
    """A moderator suspends anyone but themselves; only a superuser suspends staff or a
    superuser."""
    if not permissions.is_moderator(moderator) or user.pk == moderator.pk:
        return False
    return moderator.is_superuser or not (user.is_staff or user.is_superuser)


def suspension_refused(*, moderator: User, user: User) -> None:
    """Log an attempt to suspend someone `moderator` may not suspend. Written in the caller's
    transaction: the caller answers with a form error, so that it commits."""
    log(
        actor=moderator,
        action=Action.ATTEMPT_REFUSED,
        target=user,
        after={"attempted": Action.SUSPEND},
        user=user,
    )


def suspended_attempt_refused(request) -> None:
    """A suspended person who holds moderation powers was refused a page (core.errors.refused):
    the log shows what they tried. Nothing else is logged, and a database that cannot take the
    entry leaves the 403 as it is."""
    user = request.user
    suspension = permissions.active_suspension(user)
    if suspension is None or not holds_moderation_powers(user):
        return
    try:
        log(
            actor=user,
            action=Action.ATTEMPT_REFUSED,
            target=suspension,
            reason=f"{request.method} {request.path}"[:500],
            user=user,
        )
    except DatabaseError:
        logger.warning("the refused attempt of %s could not be logged", user.pk, exc_info=True)


def suspension_explained(request) -> Part | None:
    """Why a suspended reader was refused a page (core.errors.explained): the suspension's
    reason and end, on the 403 page."""
    user = request.user
    if not user.is_authenticated:
        return None
    suspension = permissions.active_suspension(user)
    if suspension is None:
        return None
    return Part("forums/includes/suspension_refusal.html", {"suspension": suspension})


def holds_moderation_powers(user: User) -> bool:
    """What the role gives, whether or not a suspension takes it away for now."""
    return (
        user.is_superuser
        or user.has_perm(permissions.MODERATE_PERMISSION)
        or bool(permissions.moderated_forum_ids(user))
    )


@transaction.atomic
def user_suspend(
    *, moderator: User, user: User, reason: str, until: datetime.datetime | None = None
) -> Suspension:
    """Stop a user writing anywhere until `until` (None: until lifted)."""
    if not may_suspend(moderator, user):
        raise PermissionDenied
    suspension_check(reason=reason, until=until)
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
def suspension_lift(*, moderator: User, suspension: Suspension, reason: str = "") -> Suspension:
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
def post_flag(*, user: User, post: Post, reason: FlagReason, note: str = "") -> Flag:
    """A reader reports a post. Enough readers, and it is hidden until a moderator decides."""
    if post.author_id == user.pk:
        raise ValidationError(_("You cannot flag your own post."), code="own")
    if not permissions.can_flag(user, post):
        raise PermissionDenied
    if post.flags.filter(user=user).exists():
        raise ValidationError(_("You have flagged this post already."), code="twice")
    flag = Flag.objects.create(post=post, user=user, reason=reason, note=note)
    open_flags = post.flags.filter(resolved_at__isnull=True).values("user").distinct().count()
    if post.status == PostStatus.APPROVED and open_flags >= settings.FORUM_FLAGS_TO_HIDE:
        post.status = PostStatus.HIDDEN
        post.save(update_fields=["status"])
        post_status_changed(post=post)
        entry = log(
            actor=None,
            action=Action.AUTO_HIDE,
            target=post,
            before={"status": PostStatus.APPROVED},
            after={"status": PostStatus.HIDDEN, "flags": open_flags},
            forum=post.thread.forum,
            user=post.author,
        )
        # The author learns it now; the flaggers, once a moderator decides.
        record(tasks.tell_decision, log_id=entry.pk, flagger_ids=[])
    return flag


def tell_user(user: User, template: str, context: dict) -> None:
    if not user.email or user.deleted_at:
        return
    queue_email(render_email(f"forums/email/{template}", context, reader=user))


def waiting_for(user: User) -> PostQuerySet:
    """The posts waiting for this user's decision: everywhere for the Moderators group, in
    their forums for a forum's own moderators."""
    posts = Post.objects.waiting()
    if permissions.is_moderator(user):
        return posts
    return posts.filter(thread__forum__in=permissions.moderated_forum_ids(user))


def waiting_count(user: User) -> int | None:
    """How many posts wait for this user's decision (one query); None for someone who
    moderates nothing."""
    if not (permissions.is_moderator(user) or permissions.moderated_forum_ids(user)):
        return None
    return waiting_for(user).count()


def decisions_on(posts) -> dict:
    """{post id: its latest moderation log entry}, for the posts given that are not approved
    (approved posts need no explanation): one query, none if there are no such posts."""
    ids = [post.pk for post in posts if post.status != PostStatus.APPROVED]
    if not ids:
        return {}
    return ModerationLogEntry.objects.latest_about("post", ids)
