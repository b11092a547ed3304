from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares and that knows no app (it imports none of ours)."""

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from celery.signals import task_postrun

        from . import pagecache

        pagecache.connect_signals()
        # Workers change pages too (a study's text read from its PDF): a change the cache could
        # not be told of is told after the task, as requests do before each page.
        task_postrun.connect(pagecache.send_unsent_bumps_after_task, weak=False)
