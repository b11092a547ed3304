from django.conf import settings
from django.contrib.sitemaps import Sitemap

from .models import Page


class PageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        # A page's URL is the same in every language, so list each slug once.
        return Page.objects.filter(language=settings.LANGUAGE_CODE).order_by("order", "slug")

    def lastmod(self, page):
        return page.updated_at
