import re
from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

register = template.Library()

HEADING = re.compile(r"<(/?)h([2-5])>")


@register.filter
def demote_headings(html):
    """Move a page's own headings one level down when it is shown inside a section.

    Only for HTML from render_markdown, whose headings carry no attributes.
    """
    return mark_safe(HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}>", html))  # noqa: S308


@register.filter
def latitude(value):
    """7.65 → "7.65° N", in the reader's language and number format."""
    return _degrees(value, pgettext("compass", "N"), pgettext("compass", "S"))


@register.filter
def longitude(value):
    return _degrees(value, pgettext("compass", "E"), pgettext("compass", "W"))


def _degrees(value, positive, negative):
    if value in (None, ""):
        return ""
    value = Decimal(value)
    number = number_format(abs(value).normalize(), use_l10n=True)
    return f"{number}° {positive if value >= 0 else negative}"
