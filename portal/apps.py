from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_sites

        return load_sites(overwrite=overwrite)

    def ready(self):
        from . import signals  # noqa: F401
