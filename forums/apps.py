from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "forums"
    verbose_name = _("Dialogue")

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_forums

        return load_forums(overwrite=overwrite)
