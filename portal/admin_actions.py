"""Admin actions that need a few words before they run (a reason, an outcome, a forum)."""

from django.contrib import admin
from django.template.response import TemplateResponse


def ask(modeladmin, request, queryset, form_class, then, *, title, intro, submit, **form_kwargs):
    """Run `then(cleaned_data)` once the words are given and valid; until then, the page that
    asks for them about the selected objects, posting back to the same action."""
    sent = any(name in request.POST for name in form_class.base_fields)
    form = form_class(request.POST if sent else None, **form_kwargs)
    if form.is_valid():
        then(form.cleaned_data)
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
