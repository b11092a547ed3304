from django.contrib import admin

from .models import Concept, Label


class LabelInline(admin.TabularInline):
    model = Label
    extra = 2
    min_num = 2  # a concept of one label bridges nothing


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    inlines = [LabelInline]
    list_display = ("__str__", "note")
    search_fields = ("labels__text", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("labels")
