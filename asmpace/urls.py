from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from portal.sitemaps import PageSitemap, SiteSitemap
from publications.sitemaps import PublicationSitemap

# The admin signs in through allauth: its rate limits and two-factor step apply to staff too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("ASM-PACE administration")
admin.site.site_title = _("ASM-PACE admin")
admin.site.index_title = _("Moderation and content")
# The index lists every model: the sidebar's width goes to the review queue's text instead.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("publications/", include("publications.urls")),
    path("forums/", include("forums.urls")),
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
    path("", include("portal.urls")),
]
