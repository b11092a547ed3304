from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "opendata"
    verbose_name = _("Open data downloads")

    def ready(self):
        from . import schedule

        schedule.connect_signals()
