"""Times as <time> elements: the exact time in UTC, saying so, that a page's script
(static/js/times.js) turns into a relative time ("2 hours ago") with the exact time, in the
reader's zone, in its title.

Always in UTC, whatever zone is active: pages and fragments are made once for many readers
(core.pagecache, core.memberpages; a thread's posts are kept as fragments), so nothing of one
reader's zone may be written into them. Without JavaScript, the time reads right and says UTC.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.memberpages import hole

register = template.Library()

DATE_ONLY = {"DATE_FORMAT", "SHORT_DATE_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"}


@register.simple_tag
def when(value, style="SHORT_DATETIME_FORMAT", exact=False):
    """`{% when post.created_at %}`: a <time> with the exact time in UTC in its text and title;
    `{% when page.updated_at "DATE_FORMAT" %}`: the date alone (in UTC), left as it is;
    `{% when suspension.until "DATETIME_FORMAT" exact=True %}`: a deadline, which the script
    writes out in the reader's zone rather than as "in 4 weeks";
    `{% when request.created_at "DATE_FORMAT" exact=True %}`: the day something happened, which
    the script writes as its date in the reader's zone (a sentence such as "your request of
    24 November 2026" reads wrong with "2 hours ago" in it)."""
    if not value:
        return ""
    if not isinstance(value, datetime.datetime):  # a date: no time, no zone
        text = date_format(value, style if style in DATE_ONLY else "DATE_FORMAT")
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), text)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    moment = value.astimezone(datetime.UTC)
    iso = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style in DATE_ONLY:
        text = date_format(moment, style)
        if exact:
            title = f"{date_format(moment, 'DATETIME_FORMAT')} UTC"
            return format_html(
                '<time datetime="{}" data-when="day" title="{}">{}</time>', iso, title, text
            )
        return format_html('<time datetime="{}" data-when="date">{}</time>', iso, text)
    text = f"{date_format(moment, style)} UTC"
    if exact:
        return format_html(
            '<time datetime="{}" data-when="exact" title="{}">{}</time>', iso, text, text
        )
    return format_html('<time datetime="{}" data-when title="{}">{}</time>', iso, text, text)


@register.filter
def in_zone(value, style="DATETIME_FORMAT"):
    """`{{ post.created_at|in_zone }}`: a moment written for one reader, such as an email's
    (core.emails.render_email makes the reader's zone the active one), in the active zone and
    naming it: "29 Nov 2026, 2:05 p.m. (Africa/Kinshasa)". A page made for many readers uses
    `{% when %}` instead."""
    if not isinstance(value, datetime.datetime):
        return value
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    local = timezone.localtime(value)
    return f"{date_format(local, style)} ({timezone.get_current_timezone_name()})"


@register.simple_tag(takes_context=True)
def reader_zone(context):
    """The reader's zone for the page's script: a hole of shared pages, filled per reader
    (core.memberpages); accounts fills it."""
    request = context.get("request")
    if request is None or not hasattr(request, "user"):
        return ""
    return mark_safe(hole(request, "time-zone"))  # noqa: S308 - a zone's name, checked by its fill
