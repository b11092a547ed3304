from django.contrib import admin
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "language", "order", "in_footer", "updated_at")
    list_filter = ("language", "in_footer")
    search_fields = ("title", "slug", "body")
    ordering = ("order", "slug", "language")
    readonly_fields = ("rendered", "updated_at")
    fields = ("slug", "language", "title", "summary", "body", "rendered", "order", "in_footer")

    @admin.display(description=_("As shown on the site"))
    def rendered(self, page):
        return mark_safe(page.body_html)  # noqa: S308 - sanitised by render_markdown on save
