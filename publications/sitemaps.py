from core.sitemaps import TranslatedSitemap

from .models import Publication


class PublicationSitemap(TranslatedSitemap):
    changefreq = "monthly"

    def items(self):
        # Only what an entry names: a study's row holds its PDF's text.
        return Publication.objects.published().only("slug", "updated_at").order_by("pk")
