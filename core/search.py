"""What the library's, the dialogue's and the portal's searches share.

On PostgreSQL, queries are PostgreSQL's websearch syntax tried in several text-search
configurations, and snippets come from ts_headline. Its highlight markers are control characters
that become <mark> only after the text is escaped, so nothing a person or a PDF wrote reaches the
page as HTML. On SQLite, plain substring matching over the words of the query.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

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


class ParsedQuery(SearchQuery):
    """A query PostgreSQL has read already, as the text of its tsquery, used as it is."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def as_sql(self, compiler, connection, function=None, template=None):
        return super().as_sql(compiler, connection, template="%(expressions)s::tsquery")


def parsed(query: str, configs: tuple[str, ...], using: str = "default") -> ParsedQuery | None:
    """The query in PostgreSQL's websearch syntax as each configuration reads it, each distinct
    reading once (OR): a word that reads the same in English and unstemmed is tested once, not
    twice, in every document a search tests. None when no configuration finds a word in it."""
    readings = ", ".join("websearch_to_tsquery(%s::regconfig, %s)::text" for _ in configs)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {readings}", [p for config in configs for p in (config, query)])
        found = [reading for reading in cursor.fetchone() if reading]
    if not found:
        return None
    return ParsedQuery(" | ".join(f"( {reading} )" for reading in dict.fromkeys(found)))


FRAGMENTS, FRAGMENT_DELIMITER = 2, " … "


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
        max_fragments=FRAGMENTS,
        fragment_delimiter=FRAGMENT_DELIMITER,
    )


def headline_options(*, max_words: int, min_words: int) -> str:
    """The options `headline` gives ts_headline, for a statement of our own."""
    return (
        f"StartSel='{START}', StopSel='{STOP}', MaxWords={max_words}, MinWords={min_words}, "
        f"MaxFragments={FRAGMENTS}, FragmentDelimiter='{FRAGMENT_DELIMITER}'"
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


@dataclass
class Found:
    """What a search found on PostgreSQL: the ids of the matches asked for (all, or a page of
    them from `offset`), best first, and how many match."""

    ids: list[int]
    count: int = 0
    offset: int = 0


class InOrder(Sequence):
    """What a search found, as a paginator reads it: as many items as were found, the page of
    them that `found` gave read from the database (a slice of that page, or none outside it)."""

    def __init__(self, queryset, found: Found):
        self.queryset, self.found = queryset, found

    def __len__(self):
        return self.found.count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(len(self))
        first = self.found.offset
        ids = self.found.ids[max(start - first, 0) : max(stop - first, 0)]
        by_id = self.queryset.in_bulk(ids) if ids else {}
        return [by_id[pk] for pk in ids if pk in by_id]


class PageOffsetMixin:
    """For a ListView whose search finds only the page asked for."""

    def page_offset(self):
        """Where the page asked for starts, as the paginator will read it; None for "last" or
        anything else it will judge itself (all matches are then ordered)."""
        page = self.request.GET.get(self.page_kwarg) or "1"
        if not page.isdigit() or int(page) < 1:
            return None
        return (int(page) - 1) * self.paginate_by
