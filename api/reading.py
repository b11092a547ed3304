"""What the endpoints share: a page's size and cursor, absolute addresses, checks of slugs and
codes a client sent, and the newest row's time for Last-Modified."""

import datetime
import functools

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django_countries import countries
from ninja import Query, Schema
from pydantic import Field, TypeAdapter

from .guard import LAST_MODIFIED
from .problems import Problem

LANGUAGE = settings.LANGUAGE_CODE  # the language of the pages the API links to


class PageQuery(Schema):
    cursor: str | None = Field(
        None, max_length=2000, description="From the previous page's `next`."
    )
    limit: int = Field(50, ge=1, le=200, description="Rows per page.")


PageParams = Query[PageQuery]


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def page_url(request, name: str, **kwargs) -> str:
    """The absolute address of a page, in the site's default language. A list asks for one
    per row: the address is reversed once per request and name, each row's values put in it
    (slugs and ids need no quoting)."""
    made = request.__dict__.setdefault("api_page_urls", {})
    key = (name, *sorted(kwargs))
    if key not in made:
        marks = {field: f"0{index}9999" for index, field in enumerate(sorted(kwargs))}
        with translation.override(LANGUAGE):
            template = request.build_absolute_uri(reverse(name, kwargs=marks))
        for field, mark in marks.items():
            template = template.replace(mark, "{" + field + "}", 1)
        made[key] = template
    return made[key].format(**kwargs)


def known(queryset, slug: str | None, what: str):
    """The row of this slug, or a 400 naming what is unknown (never an empty answer that looks
    like "nothing matched")."""
    if not slug:
        return None
    found = queryset.filter(slug=slug).first()
    if found is None:
        raise Problem(400, f"No {what} has the slug '{slug}'.")
    return found


def country_code(value: str | None) -> str | None:
    if not value:
        return None
    code = value.upper()
    if code not in countries:
        raise Problem(400, f"'{value}' is not an ISO 3166-1 alpha-2 country code.")
    return code


def date_range(since: datetime.date | None, until: datetime.date | None):
    if since and until and since > until:
        raise Problem(400, "`since` is after `until`.")


def as_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def as_end(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`: `until` includes the whole day."""
    return as_start(day + datetime.timedelta(days=1))


def modified(request, *times):
    """Record the newest of these times for the answer's Last-Modified."""
    newest = max((time for time in times if time is not None), default=None)
    if newest is not None:
        current = getattr(request, LAST_MODIFIED, None)
        setattr(request, LAST_MODIFIED, newest if current is None else max(current, newest))


@functools.cache
def adapter(schema) -> TypeAdapter:
    return TypeAdapter(schema)


def answers(schema):
    """The endpoint's answer validated against `schema` (as its OpenAPI description says) and
    written as JSON by pydantic itself: ninja would do the same with a wrapper of its own around
    every value, a third of a list's time."""

    def decorate(endpoint):
        @functools.wraps(endpoint)
        def answer(request, *args, **kwargs):
            checked = adapter(schema)
            data = checked.validate_python(endpoint(request, *args, **kwargs))
            return HttpResponse(checked.dump_json(data), content_type="application/json")

        return answer

    return decorate
