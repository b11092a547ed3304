from django import template
from django.utils.safestring import mark_safe

from core.memberpages import hole

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context):
    """The reader's unread count: a hole of shared pages (core.memberpages), filled per reader."""
    return mark_safe(hole(context["request"], "notices"))  # noqa: S308 - rendered by a template
