"""The portal's admin site: the Django admin, signed in through allauth, whose index is the
staff's dashboard (portal/dashboard.py): what waits for their decision, and the charts their
permissions let them read, each also a CSV file."""

import csv

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _

from forums.moderation import waiting_count

from . import dashboard

# Pages of models that moved to another app, so to another address: old bookmarks lead on.
MOVED_PAGES = {
    "forums/moderationlogentry/": "audit/moderationlogentry/",
    "portal/site/": "casesites/site/",
    "portal/mineral/": "casesites/mineral/",
}


class PortalAdminSite(admin.AdminSite):
    site_header = _("ASM-PACE administration")
    site_title = _("ASM-PACE admin")
    index_title = _("Moderation and content")
    # The index lists every model: the sidebar's width goes to the review queue's text instead.
    enable_nav_sidebar = False

    def login(self, request, extra_context=None):
        # Staff sign in through allauth's page: its rate limits and two-factor step apply.
        return secure_admin_login(super().login)(request, extra_context)

    # Sections of apps whose names say little beside the portal's own, for superusers (the
    # only ones who see them): allauth's "Accounts" beside the portal's, Django's "Sites" beside
    # the case-study sites.
    SECTION_NAMES = {
        "account": _("Sign-in: email addresses"),
        "mfa": _("Sign-in: two-factor authentication"),
        "sites": _("Web address of the portal"),
    }

    def index(self, request, extra_context=None):
        user = request.user
        context = {
            "waiting_count": waiting_count(user),
            "waiting": dashboard.waiting(user),
            "outbox": dashboard.outbox_backlog(user),
            "charts": dashboard.charts_for(user),
            **(extra_context or {}),
        }
        return super().index(request, context)

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            if app["app_label"] in self.SECTION_NAMES:
                app["name"] = self.SECTION_NAMES[app["app_label"]]
        return app_list

    def dashboard_csv(self, request, slug):
        """A chart's figures as a CSV file, for staff who may read that chart."""
        if slug not in dashboard.CHARTS:
            raise Http404
        if not dashboard.may_read(request.user, slug):
            raise PermissionDenied
        drawn = dashboard.chart(slug)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="asmpace-{slug}.csv"'
        response["Cache-Control"] = "private, no-store"
        csv.writer(response).writerows(dashboard.csv_rows(drawn))
        return response

    def get_urls(self):
        moved = [
            re_path(f"^{old}(?P<rest>.*)$", moved_page, {"old": old, "new": new})
            for old, new in MOVED_PAGES.items()
        ]
        own = [
            path(
                "dashboard/<slug:slug>.csv",
                self.admin_view(self.dashboard_csv),
                name="dashboard_csv",
            )
        ]
        return moved + own + super().get_urls()


def moved_page(request, *, old, new, rest):
    prefix = request.path[: request.path.rindex(old)]
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{prefix}{new}{rest}" + (f"?{query}" if query else ""))
