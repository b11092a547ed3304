from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import EDITORS, MANAGE
from core.search import AnyOf


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Library")
    role_permissions = {
        EDITORS: {
            "publication": MANAGE,
            "author": MANAGE,
            "authorship": MANAGE,
            "coverage": MANAGE,
            "topic": MANAGE,
            "downloadcount": ("view",),
        }
    }

    # Modules that define models are imported inside the methods: Django loads every app's
    # configuration before any app's models.

    def ready(self):
        from core import pagecache

        from .models import DownloadCount, Publication

        pagecache.unshown(DownloadCount)

        # The library's search selects its matches by id, thousands at a time (search.matching).
        Publication._meta.pk.register_lookup(AnyOf)

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_catalogue

        return load_catalogue(overwrite=overwrite)
