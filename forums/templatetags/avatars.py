"""Initials avatars: a person's initials in their stakeholder group's colour, drawn in CSS
(portal.css, .avatar), so no image is fetched from anywhere."""

from django import template

from forums.balance import SHORT_LABELS

register = template.Library()


@register.filter
def initials(name):
    """The first letters of a name's first and last words, upper case: "Dr Aline Mutesi" ->
    "DM", "Amani Byamungu" -> "AB", "Grace" -> "G"; "" for a blank name."""
    words = [word for word in str(name or "").replace("-", " ").split() if word[0].isalnum()]
    if not words:
        return ""
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.filter
def group_short(group):
    """A stakeholder group's short name ("Miners"), for where the full one does not fit."""
    return SHORT_LABELS.get(group or "other", SHORT_LABELS["other"])
