from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import WAITING, Entry


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", _("waiting")), ("given-up", _("given up")), ("done", _("done"))]

    def queryset(self, request, queryset):
        return {
            "waiting": queryset.filter(WAITING),
            "given-up": queryset.filter(given_up_at__isnull=False, done_at__isnull=True),
            "done": queryset.filter(done_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """What waits to be done after a write, for the operator: read, and given-up jobs tried
    again. Only the code records or changes an entry."""

    list_display = ("job", "state", "attempts", "created_at", "next_attempt_at", "done_at")
    list_filter = (StateFilter, "job")
    search_fields = ("job", "=key")
    readonly_fields = [field.name for field in Entry._meta.fields]
    date_hierarchy = None
    actions = ["try_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's action may change entries; no entry's page does.
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Try the selected jobs again now"), permissions=["change"])
    def try_again(self, request, queryset):
        count = services.try_again(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d job will be tried again.", "%(count)d jobs will be tried again.", count
            )
            % {"count": count},
        )
