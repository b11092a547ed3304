import datetime
import logging

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Sum
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_helpers import (
    CheckedAutocompleteMixin,
    CheckedDateHierarchyMixin,
    ReadOnlyAdminMixin,
)
from core.storage import STORAGE_ERRORS

from .models import Author, Authorship, Coverage, DownloadCount, Publication, Topic
from .search import index_publication
from .services import publication_file_changed, publication_publish

logger = logging.getLogger(__name__)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "name_fr", "slug")
    search_fields = ("name", "name_fr", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "authorships__family_name")
    prepopulated_fields = {"slug": ("name",)}


class AuthorshipInline(CheckedAutocompleteMixin, admin.TabularInline):
    model = Authorship
    autocomplete_fields = ("author",)
    fields = ("order", "author", "given_names", "family_name", "role")
    extra = 1


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 1


@admin.register(Publication)
class PublicationAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "language", "year", "is_published", "extraction", "downloads")
    list_filter = ("is_published", "kind", "language", "extraction", "topics")
    search_fields = ("title", "slug", "authorships__family_name", "authorships__author__name")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("topics",)
    autocomplete_fields = ("translations",)
    inlines = (AuthorshipInline, CoverageInline)
    actions = ("publish", "unpublish")
    readonly_fields = (
        "file_size",
        "page_count",
        "extraction",
        "extraction_error",
        "published_at",
        "download_summary",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "language", ("year", "month"))}),
        (_("Description"), {"fields": ("abstract", "topics", "translations")}),
        (_("Publisher and rights"), {"fields": ("publisher", "rights")}),
        (
            _("File"),
            {
                "fields": ("file", "file_size", "page_count", "extraction", "extraction_error"),
                "description": _(
                    "A PDF, checked by its content. Its text is extracted in the background "
                    "so that the library's search finds words inside it."
                ),
            },
        ),
        (
            _("Publication"),
            {"fields": ("is_published", "published_at", "download_summary", "updated_at")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total_downloads=Sum("download_counts__count"))

    @admin.display(description=_("downloads"), ordering="total_downloads")
    def downloads(self, publication):
        return publication.total_downloads or 0

    @admin.display(description=_("downloads"))
    def download_summary(self, publication):
        since = timezone.localdate() - datetime.timedelta(days=30)
        recent = publication.download_counts.filter(day__gt=since).aggregate(n=Sum("count"))
        return _("%(total)s in all, %(recent)s in the last 30 days") % {
            "total": publication.total_downloads or 0,
            "recent": recent["n"] or 0,
        }

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except STORAGE_ERRORS as error:
            # The storage refused the file (a bucket that refuses writes, a full disk): the
            # view's transaction is rolled back, so the study is as it was before.
            logger.warning("A study's file could not be stored: %s", error)
            self.message_user(
                request,
                _(
                    "The file could not be stored (%(reason)s). Nothing was saved: try again "
                    "later, or tell the administrator."
                )
                % {"reason": error},
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, publication, form, change):
        previous = form.initial.get("file")
        super().save_model(request, publication, form, change)
        if "file" in form.changed_data:
            publication_file_changed(
                publication=publication, previous_name=previous.name if previous else ""
            )
        if "is_published" in form.changed_data:
            publication_publish(publication=publication, published=publication.is_published)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Authors and topics are saved only now, and they are part of what search finds.
        publication_id = form.instance.pk
        transaction.on_commit(lambda: index_publication(publication_id))

    @admin.action(description=_("Publish the selected studies"), permissions=["change"])
    def publish(self, request, queryset):
        self.set_published(request, queryset, published=True)

    @admin.action(description=_("Unpublish the selected studies"), permissions=["change"])
    def unpublish(self, request, queryset):
        self.set_published(request, queryset, published=False)

    def set_published(self, request, queryset, *, published):
        changed = [p for p in queryset if p.is_published != published]
        for publication in changed:
            publication_publish(publication=publication, published=published)
        message = (
            ngettext("%(count)d study published.", "%(count)d studies published.", len(changed))
            if published
            else ngettext(
                "%(count)d study unpublished.", "%(count)d studies unpublished.", len(changed)
            )
        )
        self.message_user(request, message % {"count": len(changed)}, messages.SUCCESS)


@admin.register(DownloadCount)
class DownloadCountAdmin(CheckedDateHierarchyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Counts are written by downloads only; editors read them."""

    list_display = ("publication", "day", "count")
    list_filter = ("publication",)
    date_hierarchy = "day"
    list_select_related = ("publication",)
