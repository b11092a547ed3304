from django import template

from core.addresses import alternates

register = template.Library()


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """The page's addresses in every language, for search engines (core.addresses)."""
    request = context.get("request")
    return alternates(request) if request is not None else ""
