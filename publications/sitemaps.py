from django.contrib.sitemaps import Sitemap

from .models import Publication


class PublicationSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Publication.objects.published().order_by("pk")

    def lastmod(self, publication):
        return publication.updated_at
