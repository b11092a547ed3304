"""Coordinates as readers write them, in their language and number format."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

register = template.Library()


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
