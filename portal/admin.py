from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.sites.models import Site
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Page


class SuperusersOnly:
    """The pages of a model that only the code and superusers touch: whatever permissions a
    group is given, moderators and editors neither see its section nor open its pages."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return (
            request.user.is_active
            and request.user.is_superuser
            and super().has_add_permission(request, *args)
        )

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


# Internal models of the libraries (allauth's email addresses and two-factor authenticators,
# django.contrib.sites' domain): for superusers only. The portal's app is the last whose admin
# module is read, so these are registered by then.
for model in (EmailAddress, EmailConfirmation, Authenticator, Site):
    if admin.site.is_registered(model):
        registered = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(
            model, type(f"Superusers{registered.__name__}", (SuperusersOnly, registered), {})
        )


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "language", "order", "in_footer", "updated_at")
    list_filter = ("language", "in_footer")
    search_fields = ("title", "slug", "body")
    ordering = ("order", "slug", "language")
    readonly_fields = ("rendered", "updated_at")
    fields = ("slug", "language", "title", "summary", "body", "rendered", "order", "in_footer")

    @admin.display(description=_("As shown on the site"))
    def rendered(self, page):
        return mark_safe(page.body_html)  # noqa: S308 - sanitised by render_markdown on save
