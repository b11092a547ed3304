"""What several apps' admin pages share: actions that ask for words, and read-only pages."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse


def ask(modeladmin, request, queryset, form_class, then, *, title, intro, submit, **form_kwargs):
    """Run `then(cleaned_data)` once the words are given and valid; until then, the page that
    asks for them about the selected objects, posting back to the same action.

    `then` may raise ValidationError (a service refusing the words): the page is shown again
    with its message on the form.
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
            "title": title,
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
