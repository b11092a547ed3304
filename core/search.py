"""What the library's, the dialogue's and the portal's searches share.

On PostgreSQL, queries are PostgreSQL's websearch syntax tried in several text-search
configurations, and snippets come from ts_headline. Its highlight markers are control characters
that become <mark> only after the text is escaped, so nothing a person or a PDF wrote reaches the
page as HTML. On SQLite, plain substring matching over the words of the query.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connections
from django.db.models import Lookup, Value
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

START, STOP = "\x02", "\x03"
MAX_TERMS = 10
QUERY_MAX_LENGTH = 200


def uses_postgres(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def terms(query: str) -> list[str]:
    """The words of a query typed by a person (at most MAX_TERMS): `"&<` alone has none."""
    return re.findall(r"\w[\w'-]*", query)[:MAX_TERMS]


def websearch(query: str, configs: tuple[str, ...]) -> SearchQuery:
    """The query in PostgreSQL's websearch syntax, matching in any of these configurations."""
    tried = [SearchQuery(query, search_type="websearch", config=config) for config in configs]
    combined = tried[0]
    for other in tried[1:]:
        combined |= other
    return combined


def headline(source, query, *, config, max_words: int, min_words: int) -> SearchHeadline:
    """Up to two passages of `source` around the words found, with the markers around them."""
    return SearchHeadline(
        source,
        query,
        config=config,
        start_sel=START,
        stop_sel=STOP,
        max_words=max_words,
        min_words=min_words,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def without_markers(expression):
    """Text without the highlight markers, which a person could type to forge a <mark>."""
    return Replace(Replace(expression, Value(START), Value("")), Value(STOP), Value(""))


def plain_passage(text: str, words: list[str], width: int = 110) -> SafeString | None:
    """Where the first of the words appears in `text`, with the words marked; None if absent."""
    found = [m for w in words if (m := re.search(re.escape(w), text, re.IGNORECASE))]
    if not found:
        return None
    first = min(match.start() for match in found)
    start, end = max(0, first - width), first + width
    passage = text[start:end]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    passage = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", passage)
    return mark(("… " if start else "") + passage + (" …" if end < len(text) else ""))


def mark(marked: str) -> SafeString:
    """Escape, fold white space, then turn the markers into <mark> elements."""
    text = " ".join(escape(marked).split())
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


class AnyOf(Lookup):
    """`id = ANY(%s)` with one array parameter: thousands of ids without thousands of params.

    PostgreSQL only; an app registers it on the field it needs it for, in its ready()."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))
