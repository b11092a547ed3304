from django.conf import settings

from core.sitemaps import TranslatedSitemap

from .models import EMBEDDED_PAGES, Page


class PageSitemap(TranslatedSitemap):
    changefreq = "monthly"

    def items(self):
        # A page's address is the same in each language but its prefix, so list each slug once.
        pages = Page.objects.filter(language=settings.LANGUAGE_CODE).exclude(
            slug__in=EMBEDDED_PAGES
        )
        return pages.order_by("order", "slug")
