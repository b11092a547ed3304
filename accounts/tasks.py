"""Background work of accounts: telling a person what a moderator decided about their
affiliation. The services record it in the outbox with the decision's log entry."""

from audit.models import Action, ModerationLogEntry
from core.emails import queue_email, render_email
from notices.models import Kind, Notice
from notices.services import emailed, one_click_headers, stop_email_url, tell_once
from outbox.jobs import job

from .models import User

VERBS = {
    Action.VERIFY: "approved",
    Action.REFUSE_VERIFICATION: "refused",
    Action.WITHDRAW_VERIFICATION: "withdrawn",
}


@job
def tell_verification(*, log_id: int) -> int:
    """A notice on the site, and an email unless the person chose otherwise. Returns the
    number of emails queued."""
    entry = ModerationLogEntry.objects.filter(pk=log_id, action__in=list(VERBS)).first()
    user = entry and User.objects.filter(pk=entry.subject_user_id, deleted_at__isnull=True).first()
    if user is None:
        return 0
    verb = VERBS[entry.action]
    notice = Notice(
        user=user,
        kind=Kind.VERIFICATION,
        verb=verb,
        cause=f"log:{entry.pk}",
        target_type="verification",
        target_id=user.pk,
        reason=entry.reason,
    )
    if not tell_once([notice]) or not user.email or not emailed([user.pk], Kind.VERIFICATION):
        return 0
    stop_url = stop_email_url(user_id=user.pk, kind=Kind.VERIFICATION)
    context = {
        "approved": verb == "approved",
        "withdrawn": verb == "withdrawn",
        "reason": entry.reason,
        "stop_kind_url": stop_url,
    }
    headers = one_click_headers(stop_url)
    queue_email(render_email("accounts/email/verification", context, reader=user, headers=headers))
    return 1
