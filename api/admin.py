from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Token


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    """Personal API tokens, for the operator: who holds which, when each was last used, and
    revoking one that leaked. Only the holder makes a token; no page shows one (only its hash
    is kept, and this admin does not show even that)."""

    list_display = ("name", "user", "start", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__email", "user__name", "=start")
    fields = readonly_fields = ("user", "name", "start", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's action revokes; no token's page changes anything.
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = services.tokens_revoke(queryset)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )
