from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core import memberpages
from core.pagecache import CONTENT, unshown, watch
from notices.presenters import presents
from thesaurus.vocabulary import Named, provides

from .roles import EDITORS, MANAGE, MODERATORS, grant_role_permissions


def named_groups() -> list[Named]:
    """The stakeholder groups under their English and French names: a bridge for searches."""
    from .models import StakeholderGroup

    names = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for group in StakeholderGroup:
                names.setdefault(group.value, []).append((language, str(group.label)))
    return [Named("group", value, tuple(labels)) for value, labels in names.items()]


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    role_permissions = {
        MODERATORS: {
            "user": ("view", "change", "verify"),
            "verificationrequest": ("view", "change"),
            # The log is below accounts, and cannot name the roles itself.
            "audit.moderationlogentry": ("view",),
        },
        # The thesaurus is below accounts, and cannot name the roles itself.
        EDITORS: {"thesaurus.concept": MANAGE, "thesaurus.label": MANAGE},
    }

    # Modules that define models are imported inside the methods: Django loads every app's
    # configuration before any app's models.

    def ready(self):
        from allauth.account.models import EmailAddress

        from . import backends  # noqa: F401 - registers the "account" fact
        from .middleware import reader_zone
        from .models import User, VerificationRequest
        from .permissions import page_audience
        from .views import present_verifications

        watch(User, shown_change)
        unshown(VerificationRequest)
        # A confirmed address is the right to take part: it changes what its owner is shown.
        watch(EmailAddress, lambda address, **kw: (memberpages.person_tag(address.user_id),))
        memberpages.audience.answer(page_audience)
        memberpages.fills("time-zone")(reader_zone)
        presents("verification")(present_verifications)
        provides("group")(named_groups)
        post_migrate.connect(grant_role_permissions, dispatch_uid="accounts.grant_role_permissions")

    def personal_data(self, user):
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator

        return {
            "profile": {
                "name": user.name,
                "handle": user.handle,
                "email": user.email,
                "stakeholder_group": user.stakeholder_group,
                "organisation": user.organisation,
                "country": user.country.code,
                "preferred_language": user.preferred_language,
                "time_zone": user.time_zone,
                "follows_what_they_write": user.follows_what_they_write,
                "affiliation_verified_at": user.affiliation_verified_at,
                "code_of_conduct_accepted_at": user.code_of_conduct_accepted_at,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
            },
            "email_addresses": list(
                EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
            ),
            "two_factor_methods": list(
                Authenticator.objects.filter(user=user).values_list("type", flat=True)
            ),
            "staff_groups": list(user.groups.values_list("name", flat=True)),
        }


# What a user's save changes on no page: signing in, a password, the language of their emails.
UNSHOWN_USER_FIELDS = {"last_login", "password", "preferred_language"}


def shown_change(user, *, created, update_fields, **kwargs):
    """A new account is on no page yet; a changed name, group or mark is on every post. Any
    change may change what the person is shown (core.memberpages)."""
    if created or (update_fields and set(update_fields) <= UNSHOWN_USER_FIELDS):
        return (memberpages.person_tag(user.pk),)
    return (CONTENT, memberpages.person_tag(user.pk))
