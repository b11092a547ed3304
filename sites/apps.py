from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import EDITORS, MANAGE
from publications.hooks import study_facts


class SitesConfig(AppConfig):
    name = "sites"
    # Django's own sites framework (which names the portal in emails) has the label "sites".
    label = "casesites"
    verbose_name = _("Case-study sites")
    role_permissions = {
        EDITORS: {
            "site": MANAGE,
            "sitetext": MANAGE,
            "mineral": MANAGE,
        }
    }

    # Modules that define models are imported inside the methods: Django loads every app's
    # configuration before any app's models.

    def ready(self):
        from notices.presenters import presents
        from thesaurus.vocabulary import provides

        from .search import named_minerals, named_sites
        from .views import present_sites, sites_of_study

        study_facts.answer(sites_of_study)
        presents("site")(present_sites)
        provides("site")(named_sites)
        provides("mineral")(named_minerals)

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_sites

        return load_sites(overwrite=overwrite)
