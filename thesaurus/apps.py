from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThesaurusConfig(AppConfig):
    name = "thesaurus"
    verbose_name = _("Search")

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_thesaurus

        return load_thesaurus(overwrite=overwrite)
