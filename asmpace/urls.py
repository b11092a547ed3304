from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from portal.sitemaps import PageSitemap
from publications.sitemaps import PublicationSitemap
from sites.sitemaps import SiteSitemap

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("publications/", include("publications.urls")),
    path("forums/", include("forums.urls")),
    path("notifications/", include("notices.urls")),
    path(
        "sitemap.xml",
        sitemap,
        {
            "sitemaps": {
                "pages": PageSitemap,
                "sites": SiteSitemap,
                "publications": PublicationSitemap,
            }
        },
        name="sitemap",
    ),
    path("", include("sites.urls")),
    path("", include("portal.urls")),
]

# A database that cannot be reached answers 503 "try again in a minute" (core.errors).
handler403 = "core.errors.permission_denied"
handler500 = "core.errors.server_error"
