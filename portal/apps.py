from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _

from accounts.roles import EDITORS, MANAGE
from sites.hooks import site_list_intro


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")
    default = True  # of the two configurations here: the other is the admin site's
    role_permissions = {EDITORS: {"page": MANAGE}}

    # Modules that define models are imported inside the methods: Django loads every app's
    # configuration before any app's models.

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
        from .views import sites_intro

        site_list_intro.answer(sites_intro)

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_pages

        return load_pages(overwrite=overwrite).summary("Pages")


class PortalAdminConfig(admin_apps.AdminConfig):
    """The admin site, with the portal's index (posts waiting for moderators) and sign-in."""

    default = False

    default_site = "portal.admin_site.PortalAdminSite"
