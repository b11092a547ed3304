"""Forums are set up in the admin: visibility, admitted groups, members and moderators.
(The moderation console for threads, posts and people is built on these pages.)"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import StakeholderGroup

from .models import Forum


class ForumForm(forms.ModelForm):
    allowed_groups = forms.MultipleChoiceField(
        label=_("Stakeholder groups admitted"),
        choices=StakeholderGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For a restricted forum: the groups whose members see it."),
    )

    class Meta:
        model = Forum
        fields = (
            "name",
            "name_fr",
            "slug",
            "site",
            "order",
            "description",
            "description_fr",
            "visibility",
            "allowed_groups",
            "members",
            "moderators",
            "pre_moderated",
        )

    def clean(self):
        cleaned = super().clean()
        restricted = cleaned.get("visibility") == "restricted"
        if restricted and not cleaned.get("allowed_groups") and not cleaned.get("members"):
            raise forms.ValidationError(
                _("A restricted forum needs at least one admitted group or named member.")
            )
        return cleaned


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    form = ForumForm
    list_display = ("name", "visibility", "site", "thread_count", "post_count", "pre_moderated")
    list_filter = ("visibility", "pre_moderated")
    search_fields = ("name", "name_fr", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("members", "moderators")
    fieldsets = (
        (None, {"fields": ("name", "name_fr", "slug", "site", "order")}),
        (_("Description"), {"fields": ("description", "description_fr")}),
        (
            _("Who sees it and who moderates it"),
            {"fields": ("visibility", "allowed_groups", "members", "moderators", "pre_moderated")},
        ),
    )
