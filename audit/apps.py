from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Moderation log")

    def ready(self):
        from core.pagecache import unshown

        from .models import ModerationLogEntry

        # Shown only to moderators and to the author of a post decided, whose pages are their
        # own (core.memberpages): logging a decision changes no shared page.
        unshown(ModerationLogEntry)
