from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Library")

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_catalogue

        return load_catalogue(overwrite=overwrite)
