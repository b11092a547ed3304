"""Sitemaps with a file per language (/sitemap-en-<kind>.xml, /sitemap-fr-<kind>.xml, named by the
index /sitemap.xml): each entry is a page at one language's address, with its addresses in every
language and x-default (the old address, which sends each reader to theirs) as xhtml:link
alternates, as search engines ask."""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max

from .addresses import LANGUAGE_CODES


class TranslatedSitemap(Sitemap):
    """A kind of page (`items()` as for Django's Sitemap) in one language, with alternates."""

    i18n = True
    alternates = True
    x_default = True
    language = None  # set by in_each_language()
    lastmod_field = "updated_at"

    @property
    def paginator(self):
        # Django's i18n sitemap lists each item in every language; this one in its own only.
        return Paginator([(item, self.language) for item in self.items()], self.limit)

    def lastmod(self, item):
        return getattr(item, self.lastmod_field)

    def get_latest_lastmod(self):
        """For the index: one aggregate, not every item read."""
        return self.items().aggregate(latest=Max(self.lastmod_field))["latest"]


def in_each_language(sitemaps: dict) -> dict:
    """{"<language>-<kind>": the kind's sitemap in that language} for {kind: TranslatedSitemap}."""
    return {
        f"{language}-{kind}": type(sitemap.__name__, (sitemap,), {"language": language})
        for language in LANGUAGE_CODES
        for kind, sitemap in sitemaps.items()
    }
