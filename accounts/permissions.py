"""Who may do what with accounts. Views, templates and services all ask these functions."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from core.memberpages import PERSONAL

from .hooks import barred

VERIFY_PERMISSION = "accounts.verify_user"


def is_confirmed_stakeholder(user) -> bool:
    """Signed in, active, and the email address is confirmed: the right to take part."""
    if not (user.is_authenticated and user.is_active and user.deleted_at is None):
        return False
    if not hasattr(user, "_has_confirmed_email"):
        user._has_confirmed_email = EmailAddress.objects.filter(user=user, verified=True).exists()
    return user._has_confirmed_email


def can_edit_profile(user, profile) -> bool:
    return user.is_authenticated and user.pk == profile.pk and profile.deleted_at is None


def is_barred(user) -> bool:
    return user.is_authenticated and any(barred.ask(user))


def can_verify_affiliations(user) -> bool:
    """Decide verification requests and withdraw verifications: the Moderators group, while
    not barred (suspended)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.has_perm(VERIFY_PERMISSION)
        and not is_barred(user)
    )


def page_audience(user):
    """For core.memberpages: whether this reader takes part. Anyone with a role (staff, a group,
    a permission of their own) is shown controls of their own, so their pages are theirs alone."""
    if user.is_staff or user.is_superuser or user.deleted_at is not None or not user.is_active:
        return PERSONAL
    User = get_user_model()
    has_group, has_permission, confirmed = (
        User.objects.filter(pk=user.pk)
        .values_list(
            Exists(User.groups.through.objects.filter(user=OuterRef("pk"))),
            Exists(User.user_permissions.through.objects.filter(user=OuterRef("pk"))),
            Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
        )
        .get()
    )
    if has_group or has_permission:
        return PERSONAL
    user._has_confirmed_email = confirmed
    user._perm_cache = set()  # what Django's ModelBackend would read with two queries
    return "takes-part" if confirmed else "unconfirmed"
