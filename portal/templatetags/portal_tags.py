import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

HEADING = re.compile(r"<(/?)h([2-5])>")


@register.filter
def demote_headings(html):
    """Move a page's own headings one level down when it is shown inside a section.

    Only for HTML from render_markdown, whose headings carry no attributes.
    """
    return mark_safe(HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}>", html))  # noqa: S308
