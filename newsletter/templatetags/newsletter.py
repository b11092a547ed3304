from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.text import render_markdown

register = template.Library()


@register.filter
def subject_in_language(issue) -> str:
    return issue.subject_in(get_language())


@register.filter
def body_in_language(issue) -> str:
    # Sanitised by nh3 (core.text).
    return mark_safe(render_markdown(issue.body_in(get_language())))  # noqa: S308
