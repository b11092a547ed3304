"""What the library's, the dialogue's and the portal's searches share.

A query is read once (core.query) and expanded with the thesaurus (thesaurus.vocabulary), then
put to each database in its own terms: on PostgreSQL a tsquery, each unit as every text-search
configuration reads it (`parsed`), with snippets from ts_headline; on SQLite an FTS5 match
expression (`fts_match`), with snippets from FTS5's snippet(). The highlight markers of both
are control characters that become <mark> only after the text is escaped, so nothing a person
or a PDF wrote reaches the page as HTML.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import Lookup
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .query import MAX_LENGTH, Query, folded, stopwords

START, STOP = "\x02", "\x03"
QUERY_MAX_LENGTH = MAX_LENGTH


def uses_postgres(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


# Text-search configurations of our own (thesaurus migration 0002): PostgreSQL's English and
# French stemmers and its unstemmed one, each after `unaccent`, so that "miniere" finds
# "minière" as SQLite's tokenizer (remove_diacritics) does.
CONFIGS = {"en": "asm_english", "fr": "asm_french"}
UNSTEMMED = "asm_simple"


class ParsedQuery(SearchQuery):
    """A query PostgreSQL has read already, as the text of its tsquery, used as it is."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def as_sql(self, compiler, connection, function=None, template=None):
        return super().as_sql(compiler, connection, template="%(expressions)s::tsquery")


def parsed(query: Query, configs: tuple[str, ...], using: str = "default") -> ParsedQuery | None:
    """The query as each configuration reads it, each distinct reading once (OR): every unit
    by any of its readings (the words as typed and the thesaurus's alternatives), groups OR'd.
    A unit that a configuration reads as nothing (stop words: "the" in English) asks nothing
    there. None when no configuration finds a word to look for. Read once per Query."""
    if (configs, using) not in query.readings:
        query.readings[configs, using] = composed(query, configs, lexemes(query, using))
    return query.readings[configs, using]


EVERY_CONFIG = (*CONFIGS.values(), UNSTEMMED)


def lexemes(query: Query, using: str) -> dict:
    """What each configuration makes of each reading of each unit, as tsquery text: read in
    every configuration at once, so that the searches of one page (the library's in two, the
    dialogue's in three) share one statement."""
    if ("lexemes", using) in query.readings:
        return query.readings["lexemes", using]
    wanted = list(
        dict.fromkeys(
            (config, words, phrase)
            for config in EVERY_CONFIG
            for unit in query.units
            for words, phrase in unit.readings()
        )
    )
    read = {}
    if wanted:
        function = {True: "phraseto_tsquery", False: "plainto_tsquery"}
        columns = ", ".join(
            f"{function[phrase]}(%s::regconfig, %s)::text" for _, _, phrase in wanted
        )
        params = [p for config, words, _ in wanted for p in (config, " ".join(words))]
        with connections[using].cursor() as cursor:
            cursor.execute(f"SELECT {columns}", params)
            read = dict(zip(wanted, cursor.fetchone(), strict=True))
    query.readings["lexemes", using] = read
    return read


def composed(query: Query, configs: tuple[str, ...], read: dict) -> ParsedQuery | None:
    """The tsquery of the configurations asked for, from what lexemes() read."""
    if not read:
        return None

    def reading(config):
        groups = []
        for group in query.groups:
            parts, positive = [], False
            for unit in group:
                alternatives = list(
                    dict.fromkeys(
                        text
                        for words, phrase in unit.readings()
                        if (text := read[config, words, phrase])
                    )
                )
                if alternatives:
                    either = " | ".join(f"( {text} )" for text in alternatives)
                    parts.append(f"!( {either} )" if unit.negated else f"( {either} )")
                    positive |= not unit.negated
            if positive:
                groups.append(" & ".join(parts))
        return " | ".join(f"( {group} )" for group in groups)

    found = [text for config in configs if (text := reading(config))]
    if not found:
        return None
    return ParsedQuery(" | ".join(f"( {text} )" for text in dict.fromkeys(found)))


def ignored_in(words) -> set[str]:
    """The languages in which all these words are stop words, which PostgreSQL does not index."""
    return {
        language
        for language in CONFIGS
        if all(folded(word) in stopwords(language) for word in words)
    }


def fts_match(query: Query, columns: tuple[str, ...]) -> str | None:
    """The query in SQLite FTS5's syntax, over these columns of a table that also has a `lang`
    column (each text's language), reading it as PostgreSQL does (`parsed`) but for stemming.

    SQLite keeps stop words where PostgreSQL leaves them out of a text in that language: a
    reading made only of stop words of a language finds nothing in texts of that language ("or"
    is gold in French, nothing in English), and a unit whose every reading is so asks nothing of
    them. Unquoted words ask for the words that are no language's stop words. None when there
    is nothing to find."""
    scope = "{" + " ".join(columns) + "}"

    def match(words, phrase):
        if not phrase:
            words = [word for word in words if not ignored_in([word])] or words
        found = (
            f'{scope} : "{" ".join(words)}"'
            if phrase
            else " AND ".join(f'{scope} : "{word}"' for word in words)
        )
        for language in sorted(ignored_in(words)):
            found = f"({found}) NOT lang : {language}"
        return f"({found})"

    def unit_match(unit):
        readings = list(dict.fromkeys(unit.readings()))
        asks_nothing_of = set(CONFIGS).intersection(*(ignored_in(words) for words, _ in readings))
        if asks_nothing_of == set(CONFIGS):
            return None
        either = [match(words, phrase) for words, phrase in readings]
        either += [f"lang : {language}" for language in sorted(asks_nothing_of)]
        return f"({' OR '.join(either)})"

    groups = []
    for group in query.groups:
        positive, negative = [], []
        for unit in group:
            if found := unit_match(unit):
                (negative if unit.negated else positive).append(found)
        if positive:
            found = " AND ".join(positive)
            for excluded in negative:
                found = f"({found}) NOT {excluded}"
            groups.append(f"({found})")
    return " OR ".join(groups) or None


FRAGMENTS, FRAGMENT_DELIMITER = 2, " … "


def headline_options(*, max_words: int, min_words: int) -> str:
    """ts_headline's options: up to two passages around the words found, between markers."""
    return (
        f"StartSel='{START}', StopSel='{STOP}', MaxWords={max_words}, MinWords={min_words}, "
        f"MaxFragments={FRAGMENTS}, FragmentDelimiter='{FRAGMENT_DELIMITER}'"
    )


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

    def __init__(self, queryset, found: Found, *, then=None):
        """`then(items)` adds to the items read what the queryset does not hold."""
        self.queryset, self.found, self.then = queryset, found, then

    def __len__(self):
        return self.found.count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(len(self))
        first = self.found.offset
        ids = self.found.ids[max(start - first, 0) : max(stop - first, 0)]
        by_id = self.queryset.in_bulk(ids) if ids else {}
        items = [by_id[pk] for pk in ids if pk in by_id]
        if self.then and items:
            self.then(items)
        return items


class PageOffsetMixin:
    """For a ListView whose search finds only the page asked for."""

    def page_offset(self):
        """Where the page asked for starts, as the paginator will read it; None for "last" or
        anything else it will judge itself (all matches are then ordered)."""
        page = self.request.GET.get(self.page_kwarg) or "1"
        if not page.isdigit() or int(page) < 1:
            return None
        return (int(page) - 1) * self.paginate_by
