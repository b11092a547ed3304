from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .models import User

# Fields a moderator may change; everything that grants power stays with superusers.
MODERATOR_EDITABLE = ("affiliation_verified_at", "is_active")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("-date_joined",)
    list_display = (
        "email",
        "name",
        "stakeholder_group",
        "organisation",
        "country",
        "affiliation_verified_at",
        "is_staff",
        "date_joined",
    )
    list_filter = ("stakeholder_group", "is_staff", "is_active", "groups", "preferred_language")
    search_fields = ("email", "name", "organisation")
    readonly_fields = ("date_joined", "last_login", "code_of_conduct_accepted_at", "deleted_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Stakeholder"),
            {
                "fields": (
                    "name",
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

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return self.readonly_fields
        every_field = [f for _, opts in self.fieldsets for f in opts["fields"]]
        return [f for f in every_field if f not in MODERATOR_EDITABLE]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # A moderator never sees password hashes.
        first_name, first_opts = fieldsets[0]
        trimmed = {**first_opts, "fields": ("email",)}
        return ((first_name, trimmed), *fieldsets[1:])

    def has_change_permission(self, request, obj=None):
        # Staff accounts are changed by superusers only: no moderator can lock out another.
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
