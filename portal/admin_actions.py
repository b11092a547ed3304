"""Admin actions that need a few words before they run (a reason, an outcome, a forum)."""

from django.contrib import admin
from django.template.response import TemplateResponse


def ask(modeladmin, request, queryset, form, *, action, title, intro, submit):
    """The page that asks for `form` about the selected objects, then posts back to `action`."""
    return TemplateResponse(
        request,
        "admin/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "objects": queryset,
            "form": form,
            "action": action,
            "submit": submit,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )
