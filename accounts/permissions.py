"""Who may do what with accounts. Views, templates and services all ask these functions."""

from allauth.account.models import EmailAddress

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


def can_verify_affiliations(user) -> bool:
    """Decide verification requests and withdraw verifications: the Moderators group."""
    return user.is_authenticated and user.is_active and user.has_perm(VERIFY_PERMISSION)
