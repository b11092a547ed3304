from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OaiConfig(AppConfig):
    name = "oai"
    verbose_name = _("Library harvesting (OAI-PMH)")

    def ready(self):
        from . import signals

        signals.connect()
