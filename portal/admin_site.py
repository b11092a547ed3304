"""The portal's admin site: the Django admin, signed in through allauth, whose index tells a
moderator how many posts wait for their decision, and an operator how much work waits in the
outbox."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.urls import re_path
from django.utils.translation import gettext_lazy as _

from forums.moderation import waiting_count
from outbox.models import Entry

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

    def index(self, request, extra_context=None):
        context = {
            "waiting_count": waiting_count(request.user),
            "outbox": Entry.objects.backlog()
            if request.user.has_perm("outbox.view_entry")
            else None,
            **(extra_context or {}),
        }
        return super().index(request, context)

    def get_urls(self):
        moved = [
            re_path(f"^{old}(?P<rest>.*)$", moved_page, {"old": old, "new": new})
            for old, new in MOVED_PAGES.items()
        ]
        return moved + super().get_urls()


def moved_page(request, *, old, new, rest):
    prefix = request.path[: request.path.rindex(old)]
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{prefix}{new}{rest}" + (f"?{query}" if query else ""))
