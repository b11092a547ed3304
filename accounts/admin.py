from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_helpers import ask

from .forms import HandleFormMixin
from .handles import handle_key, normalize_handle
from .models import User, VerificationRequest
from .permissions import can_verify_affiliations, is_barred
from .services import verification_decide, verification_withdraw

# Moderators change people only through logged actions (verification requests, suspensions,
# withdrawing a verification here); every field, and all that grants power, is for superusers.


class UserAdminForm(HandleFormMixin, UserChangeForm):
    """A changed handle is checked against everyone else's; left blank, one is made."""


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminForm
    ordering = ("-date_joined",)
    list_display = (
        "email",
        "name",
        "handle",
        "stakeholder_group",
        "organisation",
        "country",
        "affiliation_verified_at",
        "is_staff",
        "date_joined",
    )
    list_filter = ("stakeholder_group", "is_staff", "is_active", "groups", "preferred_language")
    search_fields = ("email", "name", "handle", "organisation")
    readonly_fields = ("date_joined", "last_login", "code_of_conduct_accepted_at", "deleted_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Stakeholder"),
            {
                "fields": (
                    "name",
                    "handle",
                    "stakeholder_group",
                    "organisation",
                    "country",
                    "preferred_language",
                    "affiliation_verified_at",
                    "code_of_conduct_accepted_at",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )

    actions = ("withdraw_verification",)

    def get_search_results(self, request, queryset, search_term):
        """A search finds handles by their look too: "@Amelie" finds "amélie"."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = normalize_handle(search_term)
        if term and " " not in term:
            results |= queryset.filter(handle_key=handle_key(term))
        return results, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return self.readonly_fields
        return [f for _, opts in self.fieldsets for f in opts["fields"]]

    @admin.action(
        description=_("Withdraw the verification of the selected people"),
        permissions=["withdraw"],
    )
    def withdraw_verification(self, request, queryset):
        def withdraw(words):
            people = queryset.filter(affiliation_verified_at__isnull=False)
            for person in people:
                verification_withdraw(moderator=request.user, user=person, reason=words["reason"])
            count = len(people)
            self.message_user(
                request,
                ngettext(
                    "%(count)d verification withdrawn.", "%(count)d verifications withdrawn.", count
                )
                % {"count": count},
            )

        return ask(
            self,
            request,
            queryset,
            ReasonForm,
            withdraw,
            title=lambda count: (
                ngettext(
                    "Withdraw %(count)d verification", "Withdraw %(count)d verifications", count
                )
                % {"count": count}
            ),
            intro=_("Each person loses the verified mark and is told why."),
            submit=_("Withdraw"),
        )

    def has_withdraw_permission(self, request):
        return can_verify_affiliations(request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # A moderator never sees password hashes.
        first_name, first_opts = fieldsets[0]
        trimmed = {**first_opts, "fields": ("email",)}
        return ((first_name, trimmed), *fieldsets[1:])

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and not is_barred(request.user)

    def has_change_permission(self, request, obj=None):
        # Staff accounts are changed by superusers only: no moderator can lock out another.
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj) and not is_barred(request.user)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to each person"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(forms.Form):
    """Nothing to fill in: posted, it says that the moderator confirmed."""

    confirm = forms.CharField(widget=forms.HiddenInput, initial="yes")


@admin.register(VerificationRequest)
class VerificationRequestAdmin(admin.ModelAdmin):
    """Moderators verify affiliations here; each decision is logged and the person told."""

    list_display = ("user", "user_group", "statement", "status", "created_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("user__name", "user__email", "user__organisation", "statement")
    list_select_related = ("user", "decided_by")
    # Decisions go through the actions (logged, the person told), never by editing fields.
    readonly_fields = (
        "user",
        "statement",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
        "reason",
    )
    actions = ("verify", "refuse")

    def has_add_permission(self, request):
        return False  # people ask for themselves, from their account pages

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and not is_barred(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_barred(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("stakeholder group"))
    def user_group(self, verification):
        return verification.user.get_stakeholder_group_display()

    @admin.action(description=_("Verify the selected affiliations"))
    def verify(self, request, queryset):
        """A page first asks whether these affiliations were checked; posting it verifies."""
        return ask(
            self,
            request,
            queryset,
            ConfirmForm,
            lambda words: self.decide(request, queryset, approve=True, reason=""),
            title=lambda count: (
                ngettext("Verify %(count)d affiliation", "Verify %(count)d affiliations", count)
                % {"count": count}
            ),
            intro=_(
                "Each person gets the verified mark, their posts skip pre-moderation, and they "
                "are told. Verify only what you have checked."
            ),
            submit=_("Yes, verify"),
        )

    @admin.action(description=_("Refuse the selected requests, with a reason"))
    def refuse(self, request, queryset):
        return ask(
            self,
            request,
            queryset,
            ReasonForm,
            lambda words: self.decide(request, queryset, approve=False, reason=words["reason"]),
            title=lambda count: (
                ngettext(
                    "Refuse %(count)d verification request",
                    "Refuse %(count)d verification requests",
                    count,
                )
                % {"count": count}
            ),
            intro=_(
                "Each person is told that their affiliation could not be verified, with this "
                "reason."
            ),
            submit=_("Refuse"),
        )

    def decide(self, request, queryset, *, approve, reason):
        done = 0
        for verification in queryset.select_related("user"):
            try:
                verification_decide(
                    moderator=request.user, request=verification, approve=approve, reason=reason
                )
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{verification}: {error}", messages.WARNING)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d request decided.", "%(count)d requests decided.", done)
            % {"count": done},
        )
