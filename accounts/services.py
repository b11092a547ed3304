from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import User, VerificationRequest
from .permissions import is_confirmed_stakeholder


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
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = None
    user.name = ""
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
