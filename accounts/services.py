from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import log
from notices.services import forget_person
from outbox.services import record

from . import tasks
from .handles import DELETED_PREFIX
from .hooks import forgotten
from .models import User, VerificationRequest
from .permissions import can_verify_affiliations, is_confirmed_stakeholder


def account_export(*, user: User) -> dict:
    """Everything the portal holds about a person, gathered from every app that holds some.

    An app contributes by giving its AppConfig a `personal_data(user) -> dict` method.
    """
    data = {"exported_at": timezone.now().isoformat()}
    for config in apps.get_app_configs():
        if hasattr(config, "personal_data"):
            data[config.label] = config.personal_data(user)
    return data


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Remove a person's personal data and close the account.

    The row stays, empty, so that what they wrote stays readable as "Deleted user". Changing
    the password hash also ends every session of theirs, since sessions are bound to it.
    """
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = None
    user.name = ""
    # The handle they chose is freed: a mention of it no longer points at them.
    user.handle = f"{DELETED_PREFIX}{user.pk}"
    user.organisation = ""
    user.country = ""
    user.stakeholder_group = ""
    user.affiliation_verified_at = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
    forget_person(user=user)
    forgotten.ask(user)


@transaction.atomic
def verification_request(*, user: User, statement: str) -> VerificationRequest:
    """A stakeholder asks to have who they speak for verified by a moderator."""
    if not is_confirmed_stakeholder(user):
        raise PermissionDenied
    if user.is_verified:
        raise ValidationError(_("Your affiliation is verified already."), code="verified")
    if not statement.strip():
        raise ValidationError(_("Say how a moderator can verify it."), code="empty")
    if user.verification_requests.filter(status=VerificationRequest.Status.OPEN).exists():
        raise ValidationError(_("Your request is waiting for a moderator."), code="open")
    return VerificationRequest.objects.create(user=user, statement=statement.strip())


@transaction.atomic
def verification_decide(
    *, moderator: User, request: VerificationRequest, approve: bool, reason: str = ""
) -> VerificationRequest:
    """Verify a stakeholder's affiliation, or refuse with a reason they will read."""
    if not can_verify_affiliations(moderator) or request.user_id == moderator.pk:
        raise PermissionDenied
    if request.status != VerificationRequest.Status.OPEN:
        raise ValidationError(_("This request has been decided already."), code="decided")
    if not approve:
        require_reason(reason)
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
    entry = log(
        actor=moderator,
        action=Action.VERIFY if approve else Action.REFUSE_VERIFICATION,
        target=user,
        reason=reason,
        after={"verified": approve},
        user=user,
    )
    record(tasks.tell_verification, log_id=entry.pk)
    return request


@transaction.atomic
def verification_withdraw(*, moderator: User, user: User, reason: str) -> User:
    """Take a person's verified mark away, with a reason they will read."""
    if not can_verify_affiliations(moderator):
        raise PermissionDenied
    require_reason(reason)
    if user.affiliation_verified_at is None:
        return user
    before = user.affiliation_verified_at.isoformat()
    user.affiliation_verified_at = None
    user.save(update_fields=["affiliation_verified_at"])
    entry = log(
        actor=moderator,
        action=Action.WITHDRAW_VERIFICATION,
        target=user,
        reason=reason,
        before={"verified_at": before},
        after={"verified_at": None},
        user=user,
    )
    record(tasks.tell_verification, log_id=entry.pk)
    return user


def require_reason(reason: str) -> None:
    if not reason.strip():
        raise ValidationError(_("Give a reason: the person will read it."), code="no_reason")
