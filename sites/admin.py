from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_helpers import CheckedAutocompleteMixin

from . import services
from .models import Mineral, Site, SiteText


@admin.register(Mineral)
class MineralAdmin(admin.ModelAdmin):
    list_display = ("name", "name_fr", "slug")
    search_fields = ("name", "name_fr", "slug")
    prepopulated_fields = {"slug": ("name",)}


class SiteTextInline(admin.StackedInline):
    model = SiteText
    min_num = 1
    max_num = len(settings.LANGUAGES)
    extra = 0
    fields = (
        "language",
        "name",
        ("designation", "region"),
        "status_note",
        "ecosystem",
        *SiteText.MARKDOWN_FIELDS,
    )

    def get_formset(self, request, obj=None, **kwargs):
        # A site without any text would have no name to show.
        return super().get_formset(request, obj, validate_min=True, **kwargs)

    def get_extra(self, request, obj=None, **kwargs):
        """One empty form per language that has no text yet."""
        written = obj.texts.count() if obj else 0
        return len(settings.LANGUAGES) - max(written, self.min_num)


@admin.register(Site)
class SiteAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
    list_display = ("name", "country", "mineral_list", "is_published", "updated_at")
    list_filter = ("is_published", "country", "minerals")
    search_fields = ("slug", "texts__name")
    autocomplete_fields = ("publications",)
    inlines = (SiteTextInline,)
    actions = ("publish", "unpublish")
    readonly_fields = ("published_at", "updated_at")
    fieldsets = (
        (
            _("Place"),
            {
                "fields": ("slug", "country", ("latitude", "longitude")),
                "description": _("Coordinates of the approximate centre, in decimal degrees."),
            },
        ),
        (_("Protection"), {"fields": ("established", "area_ha", "iucn_category", "wdpa_id")}),
        (_("Mining and studies"), {"fields": ("minerals", "publications")}),
        (_("Publication"), {"fields": ("is_published", "order", "published_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_texts()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Studies are many and chosen by search; minerals are a short list of checkboxes.
        if db_field.name == "publications":
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("name"), ordering="slug")
    def name(self, site):
        return site.text.name

    @admin.display(description=_("minerals mined"))
    def mineral_list(self, site):
        return ", ".join(mineral.label for mineral in site.minerals.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After its studies are saved: their topics say who is told of a new site.
        if form.instance.is_published and "is_published" in form.changed_data:
            services.site_published(site=form.instance)

    @admin.action(description=_("Publish the selected sites"))
    def publish(self, request, queryset):
        count = services.sites_publish(sites=queryset, published=True)
        message = ngettext("%(count)d site published.", "%(count)d sites published.", count)
        self.message_user(request, message % {"count": count})

    @admin.action(description=_("Unpublish the selected sites"))
    def unpublish(self, request, queryset):
        count = services.sites_publish(sites=queryset, published=False)
        message = ngettext("%(count)d site unpublished.", "%(count)d sites unpublished.", count)
        self.message_user(request, message % {"count": count})
