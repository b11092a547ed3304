from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from core.sitemaps import in_each_language
from portal.sitemaps import PageSitemap
from portal.views import robots_txt
from publications.sitemaps import PublicationSitemap
from sites.sitemaps import SiteSitemap

# Each language's sitemaps, one per kind of page: "en-pages", "fr-publications"...
SITEMAPS = in_each_language(
    {"pages": PageSitemap, "sites": SiteSitemap, "publications": PublicationSitemap}
)

# The machines' addresses have no language (/healthz is answered by core.health's middleware,
# /static/ by whitenoise).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("api/v1/", include("api.urls")),
    path("oai/", include("oai.urls")),
]

# People's pages: each language at its own addresses, /en/… and /fr/… (core/addresses.py). An
# address without a language redirects permanently to the reader's.
urlpatterns += i18n_patterns(
    path("", include("accounts.urls")),
    path("accounts/api-tokens/", include("api.tokens_urls")),
    path("accounts/", include("allauth.urls")),
    path("publications/", include("publications.urls")),
    path("forums/", include("forums.urls")),
    path("notifications/", include("notices.urls")),
    path("", include("sites.urls")),
    path("open-data/", include("opendata.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("portal.urls")),
    prefix_default_language=True,
)

# The portal's own error pages, in its design and the reader's language; a database that
# cannot be reached answers 503 "try again in a minute" (core.errors).
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
