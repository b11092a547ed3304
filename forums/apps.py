from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import MODERATORS
from sites.hooks import site_page_parts


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Dialogue")
    role_permissions = {
        MODERATORS: {
            "forum": ("view", "add", "change", "moderate"),
            "thread": ("view", "change"),
            "post": ("view", "change"),
            "flag": ("view",),
            "suspension": ("view", "add", "change"),
        }
    }

    # Modules that define models are imported inside the methods: Django loads every app's
    # configuration before any app's models.

    def ready(self):
        from .views.dialogue import site_dialogue

        site_page_parts.answer(site_dialogue)

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_forums

        return load_forums(overwrite=overwrite)
