"""Finding studies: full-text search on PostgreSQL, a plain fallback on SQLite, and facets.

On PostgreSQL each study has a stored tsvector (GIN-indexed) built with the configuration of
its own language, and a query is tried in English and in French, so that "mining" finds
"mines" in an English study and "minière" finds "minier" in a French one. Snippets come from
ts_headline and are escaped before anything is marked (core.search), so nothing from a PDF
reaches the page as HTML.
"""

import contextlib
import functools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchRank, SearchVector
from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    Concat,
    Greatest,
    Least,
    Left,
    Lower,
    NullIf,
    StrIndex,
    Substr,
)
from django.db.models.sql import Query
from django.utils.safestring import SafeString
from django_countries import countries

from core.search import START, headline, mark, plain_passage, terms, uses_postgres, websearch

from .models import Authorship, Coverage, Kind, Publication, Topic

SNIPPET_SOURCE_CHARACTERS = 100_000
WINDOW_BEFORE, WINDOW_CHARACTERS = 600, 1_500  # around a word found in a PDF's text
# Of the text inside a PDF only this much is indexed, to stay clear of tsvector's 1 MB limit.
INDEXED_TEXT_CHARACTERS = 300_000


@contextlib.contextmanager
def index_first(using="default"):
    """Have PostgreSQL answer a match from the GIN index rather than by reading the table.

    The planner does not count the cost of reading each study's large, out-of-line (TOAST)
    vector, so for a word that most studies contain it scans the table and reads every vector
    (about 150 ms at 10,000 studies) where the index answers in a few milliseconds.
    """
    if connections[using].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def search_config():
    return Case(When(language="fr", then=Value("french")), default=Value("english"))


def index_publication(publication_id: int) -> None:
    index_publications(Publication.objects.filter(pk=publication_id))


def index_publications(queryset) -> None:
    """Rebuild the search vectors of many studies in one UPDATE.

    search_vector (GIN-indexed) holds everything, the PDF's text included, and decides what
    matches. rank_vector holds only what describes the study (title and people first, then
    topics and abstract) and orders the matches: ranking against the full text would read
    every matching study's large vector, which is what made common words slow.
    """
    if not uses_postgres(queryset):
        return
    people = names_of(
        Authorship.objects,
        Concat("given_names", Value(" "), "family_name", Value(" "), "author__name"),
    )
    topics = names_of(
        Publication.topics.through.objects, Concat("topic__name", Value(" "), "topic__name_fr")
    )
    config = search_config()
    described = SearchVector("title", people, weight="A", config=config) + SearchVector(
        topics, "abstract", weight="B", config=config
    )
    ids = list(queryset.values_list("pk", flat=True))
    Publication.objects.filter(pk__any_of=ids).update(
        rank_vector=described,
        search_vector=described
        + SearchVector(Left("text", INDEXED_TEXT_CHARACTERS), weight="D", config=config),
    )
    # In SQL, without signals: the terms are derived data, which no page shows.
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("DELETE FROM publications_searchterm WHERE publication_id = ANY(%s)", (ids,))
        cursor.execute(TERMS_SQL, (ids,))


# Each word of a study's description, with what it adds to the study's ts_rank (normalization
# 0) for a query that holds it. For a query whose top is OR, which every library query is
# (tried in English OR French), PostgreSQL's calc_rank_or sums, over the query's distinct words,
# (wjm + resj - wjm / (jm + 1)^2) / 1.64493406685, where resj sums the word's position weights
# w_j / (j + 1)^2 in the order stored and wjm is the first of the largest (A 1.0, B 0.4, C 0.2,
# D 0.1), then divides by the number of words: the same for every study of one query.
TERMS_SQL = """
INSERT INTO publications_searchterm (publication_id, lexeme, score)
SELECT p.id, u.lexeme, (s.wjm + s.resj - s.wjm / (s.jm * s.jm)) / 1.64493406685
FROM publications_publication p
CROSS JOIN LATERAL unnest(p.rank_vector) AS u
CROSS JOIN LATERAL (
    SELECT max(w) AS wjm, sum(w / (j * j)) AS resj, (array_agg(j ORDER BY w DESC, j))[1] AS jm
    FROM (
        SELECT CASE x.weight WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.4 WHEN 'C' THEN 0.2 ELSE 0.1
            END::real AS w, x.j::float8 AS j
        FROM unnest(u.weights) WITH ORDINALITY AS x(weight, j)
    ) AS positions
) AS s
WHERE p.id = ANY(%s)
"""


def names_of(rows, name):
    """The names of a study's related rows, in one string (a subquery per study)."""
    return Subquery(
        rows.filter(publication=OuterRef("pk"))
        .values("publication")
        .annotate(names=StringAgg(name, " "))
        .values("names")
    )


def matching(queryset, query: str):
    """The studies that match a query typed by a person, best first."""
    if uses_postgres(queryset):
        tsquery = postgres_query(query)
        # Match once, through the index; the page's other queries (count, five facets, the
        # ranked list) then select by id and never read the large vectors again.
        with index_first(queryset.db):
            found = list(queryset.filter(search_vector=tsquery).values_list("pk", flat=True))
        return (
            Publication.objects.filter(pk__any_of=found)
            .annotate(rank=SearchRank(F("rank_vector"), tsquery))
            .order_by("-rank", "-year", "title")
        )
    for term in terms(query):
        by_people = Authorship.objects.filter(publication=OuterRef("pk")).filter(
            Q(family_name__icontains=term)
            | Q(given_names__icontains=term)
            | Q(author__name__icontains=term)
        )
        queryset = queryset.filter(
            Q(title__icontains=term)
            | Q(abstract__icontains=term)
            | Q(text__icontains=term)
            | Exists(by_people)
        )
    return queryset


def postgres_query(query: str):
    return websearch(query, ("english", "french"))


@dataclass
class Found:
    """What a search found on PostgreSQL: the ids of the matches asked for (all, or a page of
    them from `offset`), best first; how many match; and the facets' counts."""

    ids: list[int]
    count: int = 0
    offset: int = 0
    facets: dict = field(default_factory=dict)


LEXEME = re.compile(r"'((?:[^']|'')*)'")

# The ids travel as the array's text, there and back: neither Django nor psycopg handles them
# one by one (for 10,000 ids, that took 15 ms of Python), and the planner sees how many.
MATCHED_SQL = """
SELECT COALESCE(array_agg(id), '{{}}')::text
FROM publications_publication WHERE search_vector @@ {tsquery}
"""
# One statement: everything the page needs from the studies matched. Only the studies whose
# description holds a word of the query are ranked, from the words' precomputed scores
# (SearchTerm, an index-only read: a few entries per study): ts_rank is 0 for every other one,
# so they follow, newest first. Titles break ties byte by byte ("C"): sorting thousands of them
# by the language's rules took 6 ms. Only the page asked for is sorted out (a top-N sort).
FOUND_SQL = """
WITH found AS MATERIALIZED (SELECT * FROM ({matches}) AS m WHERE m.id = ANY(%s::bigint[])),
described AS MATERIALIZED (
    SELECT publication_id AS id, (sum(score) / %s)::real AS rank
    FROM publications_searchterm WHERE lexeme = ANY(%s) GROUP BY publication_id
),
ranked AS (
    SELECT found.*, COALESCE(described.rank, 0) AS rank
    FROM found LEFT JOIN described ON described.id = found.id
)
SELECT 'order', '', (SELECT count(*) FROM found), ARRAY(
    SELECT id FROM ranked ORDER BY rank DESC, year DESC, title COLLATE "C" LIMIT %s OFFSET %s
)
{facets}
"""
FACETS_SQL = """
UNION ALL SELECT 'kind', kind, count(*), NULL FROM found GROUP BY kind
UNION ALL SELECT 'language', language, count(*), NULL FROM found GROUP BY language
UNION ALL SELECT 'year', year::text, count(*), NULL FROM found GROUP BY year
UNION ALL SELECT 'country', c.country, count(*), NULL
    FROM publications_coverage c JOIN found ON found.id = c.publication_id GROUP BY c.country
UNION ALL SELECT 'topic', t.topic_id::text, count(*), NULL
    FROM publications_publication_topics t JOIN found ON found.id = t.publication_id
    GROUP BY t.topic_id
"""


def unquoted(lexeme: str) -> str:
    """A lexeme as querytree() prints it inside quotes, quotes and backslashes doubled."""
    return lexeme.replace("''", "'").replace("\\\\", "\\")


def found(
    queryset, query: str, *, facets: bool = True, offset: int = 0, limit: int | None = None
) -> Found:
    """The studies of `queryset` that match a query typed by a person (PostgreSQL only): the
    ids of `limit` of them from `offset` in their order (all without a limit), and their count.

    The match is made once, through the GIN index: the ranked order, the count and the facets
    come from it in one more statement, so that a word in every study costs a few
    milliseconds, not a query per facet over thousands of ids.
    """
    db = queryset.db
    connection = connections[db]
    tsquery = postgres_query(query)
    compiler = Query(Publication).get_compiler(using=db)
    tsquery_sql, tsquery_params = tsquery.resolve_expression(compiler.query).as_sql(
        compiler, connection
    )
    with index_first(db), connection.cursor() as cursor:
        cursor.execute(f"SELECT querytree({tsquery_sql})::text", tsquery_params)
        words = sorted({unquoted(word) for word in LEXEME.findall(cursor.fetchone()[0])})
        # The match alone, by the GIN index alone. With any other index allowed, the planner
        # reads every study's large vector to test it (about 100 ms for a common word at
        # 10,000 studies, against 6 ms through the GIN index): it does not count that cost.
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(MATCHED_SQL.format(tsquery=tsquery_sql), tsquery_params)
        matched = cursor.fetchone()[0]
        # The rest reads every match's row but no vector: a table scan beats 10,000 lookups.
        cursor.execute(
            "SELECT set_config('enable_indexscan', 'on', true),"
            " set_config('enable_seqscan', 'on', true)"
        )
        matches = queryset.order_by()
        matches = matches.values("id", "kind", "language", "year", "title")
        matches_sql, matches_params = matches.query.get_compiler(using=db).as_sql()
        sql = FOUND_SQL.format(matches=matches_sql, facets=FACETS_SQL if facets else "")
        cursor.execute(sql, (*matches_params, matched, max(len(words), 1), words, limit, offset))
        rows = cursor.fetchall()
    ids, total, counts = [], 0, {name: [] for name in FACET_NAMES}
    for name, value, n, ordered in rows:
        if name == "order":
            ids, total = list(ordered or []), n
        else:
            counts[name].append((value, n))
    if not facets:
        return Found(ids, total, offset)
    topics = Topic.objects.in_bulk([int(value) for value, _ in counts["topic"]])
    counts["topic"] = [(topics[int(value)], n) for value, n in counts["topic"]]
    return Found(ids, total, offset, facet_values(counts))


def snippets(publications, query: str) -> dict[int, SafeString]:
    """A short passage of each study around the words searched for, with those words marked."""
    ids = [publication.pk for publication in publications]
    if not ids or not query.strip():
        return {}
    queryset = Publication.objects.filter(pk__in=ids)
    if uses_postgres(queryset):
        words = terms(query)
        # An abstract that holds a word as typed is the passage's source alone: a third of the
        # text for ts_headline to parse, and the study's own summary of it.
        in_abstract = functools.reduce(
            operator.or_, (Q(abstract__icontains=word) for word in words), Q(pk__in=[])
        )
        source = Case(
            When(in_abstract, then=F("abstract")),
            default=Concat("abstract", Value(" … "), passage_source(words)),
            output_field=TextField(),
        )
        rows = queryset.annotate(
            passage=headline(
                source, postgres_query(query), config=search_config(), max_words=30, min_words=12
            )
        ).values_list("pk", "passage")
        return {pk: mark(passage) for pk, passage in rows if START in passage}
    rows = queryset.values_list("pk", "abstract", "text")
    return {
        pk: passage
        for pk, abstract, text in rows
        if (passage := plain_passage(f"{abstract}\n{text}", terms(query)))
    }


def passage_source(words):
    """The part of a study's text that ts_headline reads: a window around the first place where
    a word of the query appears as typed, else (a word found only through its stem, or not in
    the text) the text's beginning. Parsing a whole PDF's text for each result was most of the
    cost of a page of results."""
    text = Left("text", SNIPPET_SOURCE_CHARACTERS)
    found_at = [NullIf(StrIndex(Lower(text), Value(word.lower())), Value(0)) for word in words]
    if not found_at:
        return text
    first = found_at[0] if len(found_at) == 1 else Least(*found_at)
    start = Greatest(first - Value(WINDOW_BEFORE), Value(1))
    return Coalesce(Substr(text, start, WINDOW_CHARACTERS), Left("text", WINDOW_CHARACTERS))


class InOrder(Sequence):
    """The studies of a search, as a paginator reads them: as many as were found, the page of
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


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


FACET_NAMES = ("kind", "language", "country", "topic", "year")


def facet_counts(queryset) -> dict[str, list[FacetValue]]:
    """How many of the studies found fall under each kind, language, country, topic and year."""
    found = queryset.order_by().values("pk")
    plain = Publication.objects.filter(pk__in=found).order_by()

    def count(rows, name, of="pk"):
        return [(row[name], row["n"]) for row in rows.values(name).annotate(n=Count(of))]

    return facet_values(
        {
            "kind": count(plain, "kind"),
            "language": count(plain, "language"),
            "country": count(
                Coverage.objects.filter(publication__in=found), "country", "publication"
            ),
            "topic": [
                (topic, topic.n)
                for topic in Topic.objects.filter(publication__in=found).annotate(
                    n=Count("publication")
                )
            ],
            "year": count(plain, "year"),
        }
    )


def facet_values(counts) -> dict[str, list[FacetValue]]:
    """Each facet's values, labelled and in the order the page shows them, from (value, count)
    pairs (a topic's value is the Topic itself)."""
    languages = dict(settings.LANGUAGES)

    def by_count(values):
        return sorted(values, key=lambda facet: (-facet.count, facet.label))

    return {
        "kind": sorted(
            (FacetValue(kind, Kind(kind).label, n) for kind, n in counts["kind"]),
            key=lambda facet: (-facet.count, facet.value),
        ),
        "language": sorted(
            (FacetValue(code, languages.get(code, code), n) for code, n in counts["language"]),
            key=lambda facet: -facet.count,
        ),
        "country": by_count(
            FacetValue(code, countries.name(code), n) for code, n in counts["country"]
        ),
        "topic": by_count(FacetValue(topic.slug, topic.label, n) for topic, n in counts["topic"]),
        "year": sorted(
            (FacetValue(str(year), str(year), n) for year, n in counts["year"]),
            key=lambda facet: -int(facet.value),
        ),
    }
