from core.sitemaps import TranslatedSitemap

from .models import Site


class SiteSitemap(TranslatedSitemap):
    changefreq = "monthly"

    def items(self):
        return Site.objects.published().order_by("order", "slug")
