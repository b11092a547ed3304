from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares and that knows no app (it imports none of ours)."""

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from celery.signals import task_postrun

        from . import pagecache

        pagecache.connect_signals()
        post_migrate.connect(pagecache.after_migrate, sender=self, weak=False)
        # Workers change pages too (a study's text read from its PDF): a change the cache could
        # not be told of is told after the task, as requests do before each page.
        task_postrun.connect(pagecache.send_unsent_bumps_after_task, weak=False)
