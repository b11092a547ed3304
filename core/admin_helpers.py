"""What several apps' admin pages share: actions that ask for words, read-only pages, and
autocomplete boxes and date filters that check what they were sent."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse


def ask(modeladmin, request, queryset, form_class, then, *, title, intro, submit, **form_kwargs):
    """Run `then(cleaned_data)` once the words are given and valid; until then, the page that
    asks for them about the selected objects, posting back to the same action.

    `then` may raise ValidationError (a service refusing the words): the page is shown again
    with its message on the form. `title` may be a function of the number of objects selected,
    for a heading in the singular or the plural ("Refuse 1 request", "Refuse 2 requests").
    """
    sent = any(name in request.POST for name in form_class.base_fields)
    form = form_class(request.POST if sent else None, **form_kwargs)
    if form.is_valid():
        try:
            then(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return None
    return TemplateResponse(
        request,
        "admin/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title(len(queryset)) if callable(title) else title,
            "intro": intro,
            "objects": queryset,
            "form": form,
            "action": request.POST.get("action", ""),
            "submit": submit,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


class ReadOnlyAdminMixin:
    """Rows that only the code writes (logs, counts, history): staff read them, nobody changes,
    adds or deletes one here. The view permission still decides who reads."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CheckedChoicesMixin:
    """An autocomplete that shows again only the values its key can hold: a forged value
    ("abc", a NUL byte) becomes the form's "Select a valid choice", not a 500 while the page
    re-renders (Django's widget looks every posted value up as it is)."""

    def optgroups(self, name, value, attr=None):
        key = self.field.target_field
        return super().optgroups(name, [v for v in value if _holds(key, v)], attr)


def _holds(field, value):
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class CheckedAutocompleteSelect(CheckedChoicesMixin, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(CheckedChoicesMixin, AutocompleteSelectMultiple):
    pass


class CheckedAutocompleteMixin:
    """For a ModelAdmin with autocomplete_fields: their widgets check what was posted."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                CheckedAutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CheckedDateHierarchyChangeList(ChangeList):
    def get_filters(self, request):
        # Django turns a day that does not exist into "an invalid filter" (?e=1), but lets a year
        # too large for a date (OverflowError), or the year after 9999, become a 500.
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class CheckedDateHierarchyMixin:
    """For a ModelAdmin with a date_hierarchy, whose year, month and day come from the address."""

    def get_changelist(self, request, **kwargs):
        return CheckedDateHierarchyChangeList
