from django.contrib.sitemaps import Sitemap

from .models import Site


class SiteSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Site.objects.published().order_by("order", "slug")

    def lastmod(self, site):
        return site.updated_at
