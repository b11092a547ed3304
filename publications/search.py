"""Finding studies: full-text search on PostgreSQL and through FTS5 on SQLite, and facets.

On PostgreSQL each study has a stored tsvector (GIN-indexed) built with the configuration of
its own language, and a query, expanded with the thesaurus, is tried in English and in French,
so that "mining" finds "mines" in an English study and "minière" finds "minier" in a French
one. Snippets come from ts_headline and are escaped before anything is marked (core.search),
so nothing from a PDF reaches the page as HTML. On SQLite the same texts are rows of an FTS5
table (migration 0010), kept in step by the same `index_publications`, ranked by bm25.
"""

import contextlib
import re
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchRank, SearchVector
from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Concat,
    Left,
)
from django.utils.safestring import SafeString
from django_countries import countries

from core import phrases
from core.countries import first_rank
from core.search import (
    CONFIGS,
    FRAGMENT_DELIMITER,
    START,
    STOP,
    fts_match,
    headline_options,
    mark,
    parsed,
    uses_postgres,
)
from core.search import (
    Found as Matched,
)
from thesaurus.vocabulary import Named, expanded

from .catalogue import current as current_catalogue
from .models import Authorship, Coverage, Kind, Publication, Topic

SNIPPET_SOURCE_CHARACTERS = 100_000
WINDOW_BEFORE, WINDOW = 200, 600  # characters around a word found in a PDF's text
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
    return Case(When(language="fr", then=Value(CONFIGS["fr"])), default=Value(CONFIGS["en"]))


def index_publication(publication_id: int) -> None:
    """Index a study, and the other studies of its authors: each is found under every name
    its authors have published under, which this study may have added to."""
    by_same_authors = Authorship.objects.filter(
        author__authorships__publication=publication_id
    ).values("publication")
    index_publications(
        Publication.objects.filter(pk=publication_id)
        | Publication.objects.filter(pk__in=by_same_authors)
    )


def index_publications(queryset) -> None:
    """Rebuild the search vectors of many studies (their SearchDocument) in one statement.

    search_vector (GIN-indexed) holds everything, the PDF's text included, and decides what
    matches. rank_vector holds only what describes the study (title and people first, then
    topics and abstract) and orders the matches: ranking against the full text would read
    every matching study's large vector, which is what made common words slow.
    """
    ids = list(queryset.values_list("pk", flat=True))
    if not uses_postgres(queryset):
        fts_index(queryset.db, ids)
        return
    # Every name each of its authors has been printed under, on any study, and today's.
    people = Subquery(
        Authorship.objects.filter(author__authorships__publication=OuterRef("pk"))
        .order_by()
        .annotate(study=Value(1))
        .values("study")
        .annotate(
            names=StringAgg(
                Concat("given_names", Value(" "), "family_name", Value(" "), "author__name"),
                " ",
                distinct=True,
            )
        )
        .values("names")
    )
    topics = names_of(
        Publication.topics.through.objects, Concat("topic__name", Value(" "), "topic__name_fr")
    )
    config = search_config()
    described = SearchVector("title", people, weight="A", config=config) + SearchVector(
        topics, "abstract", weight="B", config=config
    )
    documents = (
        Publication.objects.filter(pk__any_of=ids)
        .annotate(
            described=described,
            everything=described
            + SearchVector(Left("text", INDEXED_TEXT_CHARACTERS), weight="D", config=config),
        )
        .values_list("pk", "described", "everything")
        .order_by()
    )
    select, params = documents.query.sql_with_params()
    # In SQL, without signals: the vectors and terms are derived data, which no page shows.
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(UPSERT_DOCUMENTS_SQL.format(select=select), params)
        cursor.execute("DELETE FROM publications_searchterm WHERE publication_id = ANY(%s)", (ids,))
        cursor.execute(TERMS_SQL, (ids,))


UPSERT_DOCUMENTS_SQL = """
INSERT INTO publications_searchdocument (publication_id, rank_vector, search_vector) {select}
ON CONFLICT (publication_id) DO UPDATE
SET rank_vector = EXCLUDED.rank_vector, search_vector = EXCLUDED.search_vector
"""

# Each word of a study's description, with what it adds to the study's ts_rank (normalization
# 0) for a query that holds it. For a query whose top is OR, which every library query is
# (tried in English OR French), PostgreSQL's calc_rank_or sums, over the query's distinct words,
# (wjm + resj - wjm / (jm + 1)^2) / 1.64493406685, where resj sums the word's position weights
# w_j / (j + 1)^2 in the order stored and wjm is the first of the largest (A 1.0, B 0.4, C 0.2,
# D 0.1), then divides by the number of words: the same for every study of one query.
TERMS_SQL = """
INSERT INTO publications_searchterm (publication_id, lexeme, score)
SELECT d.publication_id, u.lexeme, (s.wjm + s.resj - s.wjm / (s.jm * s.jm)) / 1.64493406685
FROM publications_searchdocument d
CROSS JOIN LATERAL unnest(d.rank_vector) AS u
CROSS JOIN LATERAL (
    SELECT max(w) AS wjm, sum(w / (j * j)) AS resj, (array_agg(j ORDER BY w DESC, j))[1] AS jm
    FROM (
        SELECT CASE x.weight WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.4 WHEN 'C' THEN 0.2 ELSE 0.1
            END::real AS w, x.j::float8 AS j
        FROM unnest(u.weights) WITH ORDINALITY AS x(weight, j)
    ) AS positions
) AS s
WHERE d.publication_id = ANY(%s)
"""


def names_of(rows, name):
    """The names of a study's related rows, in one string (a subquery per study)."""
    return Subquery(
        rows.filter(publication=OuterRef("pk"))
        .values("publication")
        .annotate(names=StringAgg(name, " "))
        .values("names")
    )


# SQLite: each study's row in the FTS5 table (migration 0010), with what its vectors hold on
# PostgreSQL: its authors under every name they were printed under, its topics in both languages.
FTS_DELETE = "DELETE FROM publications_publication_fts WHERE rowid IN ({ids})"
FTS_SQL = """
INSERT INTO publications_publication_fts (rowid, title, people, topics, abstract, text, lang)
SELECT p.id, p.title,
    (SELECT group_concat(DISTINCT a.given_names || ' ' || a.family_name || ' ' || au.name)
        FROM publications_authorship a JOIN publications_author au ON au.id = a.author_id
        WHERE a.author_id IN (
            SELECT author_id FROM publications_authorship WHERE publication_id = p.id
        )),
    (SELECT group_concat(t.name || ' ' || t.name_fr, ' ')
        FROM publications_publication_topics pt
        JOIN publications_topic t ON t.id = pt.topic_id WHERE pt.publication_id = p.id),
    replace(replace(p.abstract, char(2), ''), char(3), ''),
    replace(replace(substr(p.text, 1, %s), char(2), ''), char(3), ''), p.language
FROM publications_publication p WHERE p.id IN ({ids})
"""
FTS_COLUMNS = ("title", "people", "topics", "abstract", "text")
# bm25's weights of the columns: A (title, people), B (topics, abstract) and D (text) as on
# PostgreSQL, the language not at all.
FTS_RANKED = """
SELECT rowid FROM publications_publication_fts WHERE publications_publication_fts MATCH %s
ORDER BY bm25(publications_publication_fts, 10.0, 10.0, 4.0, 4.0, 1.0, 0.0)
"""
FTS_SNIPPETS = """
SELECT rowid, snippet(publications_publication_fts, -1, %s, %s, %s, 30)
FROM publications_publication_fts WHERE publications_publication_fts MATCH %s AND rowid IN ({ids})
"""


def fts_index(using, ids) -> None:
    with connections[using].cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("%s" for _ in chunk)
            cursor.execute(FTS_DELETE.format(ids=marks), chunk)
            cursor.execute(FTS_SQL.format(ids=marks), [INDEXED_TEXT_CHARACTERS, *chunk])


def matching(queryset, query: str):
    """The studies that match a query typed by a person (expanded with the thesaurus), best
    first: on PostgreSQL, a queryset annotated with its rank; on SQLite, through FTS5, ordered
    by bm25."""
    query = expanded(query)
    if uses_postgres(queryset):
        tsquery = parsed(query, QUERY_CONFIGS, queryset.db)
        if tsquery is None:
            return queryset.none()
        # Match once, through the index; the page's other queries (count, five facets, the
        # ranked list) then select by id and never read the large vectors again.
        with index_first(queryset.db):
            found = list(
                queryset.filter(search_document__search_vector=tsquery).values_list("pk", flat=True)
            )
        return (
            Publication.objects.filter(pk__any_of=found)
            .annotate(rank=SearchRank(F("search_document__rank_vector"), tsquery))
            .order_by("-rank", "-year", "title")
        )
    match = fts_match(query, FTS_COLUMNS)
    if match is None:
        return queryset.none()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(FTS_RANKED, [match])
        ranked = [pk for (pk,) in cursor.fetchall()]
    place = {pk: n for n, pk in enumerate(ranked)}
    found = queryset.filter(pk__in=ranked)
    if not ranked:
        return found
    # A study's place among the matches, for the database to order by (a few on SQLite).
    return found.annotate(
        rank=Case(*(When(pk=pk, then=Value(n)) for pk, n in place.items()), default=Value(0))
    ).order_by("rank", "-year", "title")


QUERY_CONFIGS = tuple(CONFIGS.values())  # every query is tried in both


@dataclass
class Found(Matched):
    """What a library search found, with the facets' counts."""

    facets: dict = field(default_factory=dict)


LEXEME = re.compile(r"'((?:[^']|'')*)'")

# The ids and ranks travel as bytes (int8send, float8send), read by numpy as they come: neither
# Django nor psycopg handles them one by one (for 10,000 ids, that took 15 ms of Python).
MATCHED_SQL = """
SELECT COALESCE(string_agg(int8send(publication_id), ''), '')
FROM publications_searchdocument WHERE search_vector @@ %s::tsquery
"""
# A phrase: the studies whose word pairs hold its pairs, through their index alone (the fence,
# OFFSET 0, keeps the planner from combining it with the vectors' index, whose recheck would
# work out word_pairs() again for every candidate: 5 ms each), then the query on those alone.
MATCHED_PHRASE_SQL = """
SELECT COALESCE(string_agg(int8send(publication_id), ''), '') FROM (
    SELECT publication_id, search_vector FROM publications_searchdocument WHERE {pairs} OFFSET 0
) AS candidates
WHERE search_vector @@ %s::tsquery
"""
# A query whose alternatives are phrases and words (a thesaurus's labels): the studies holding
# a word through the vectors' index alone (exact, nothing read again), those holding a phrase
# through the pairs' index and then the phrases (the vectors' index would have PostgreSQL read
# the large vector of every study holding the phrase's words: 200 ms at 10,000 studies).
MATCHED_EITHER_SQL = """
SELECT COALESCE(string_agg(int8send(publication_id), ''), '') FROM (
    SELECT publication_id FROM publications_searchdocument WHERE search_vector @@ %s::tsquery
    UNION
    SELECT publication_id FROM (
        SELECT publication_id, search_vector FROM publications_searchdocument
        WHERE {pairs} OFFSET 0
    ) AS candidates
    WHERE search_vector @@ %s::tsquery
) AS matched
"""
# Each study whose description holds a word of the query, with each such word's precomputed
# score (SearchTerm; an index-only read of a few entries per study): a study's rank is their sum
# (numpy adds them up, three times faster than GROUP BY). ts_rank would divide it by the number
# of words, the same for every study. Every other match ranks 0. The words' entries are read
# whatever matched: the catalogue keeps the matches (narrowing by study here made PostgreSQL
# read every word of each study instead, 3 ms for a hundred).
RANKS_SQL = """
SELECT COALESCE(string_agg(int8send(publication_id), ''), ''),
    COALESCE(string_agg(float8send(score), ''), '')
FROM publications_searchterm WHERE lexeme = ANY(%s)
"""


def found(
    query: str,
    *,
    unpublished: bool = False,
    filters: dict | None = None,
    facets: bool = True,
    offset: int = 0,
    limit: int | None = None,
    using: str = "default",
) -> Found:
    """The studies that match a query typed by a person (PostgreSQL only), published ones only
    unless `unpublished`, that pass the filters (a facet's name: its value): the ids of `limit`
    of them from `offset` in their order (all without a limit), their count and facets.

    PostgreSQL matches through the GIN index alone and gives the ranks; the catalogue held in
    this process counts, filters and orders (publications.catalogue).
    """
    tsquery = parsed(expanded(query), QUERY_CONFIGS, using)
    if tsquery is None:  # no word in it, in either language
        return Found([], 0, offset, facet_values({name: [] for name in FACET_NAMES}))
    words = sorted({phrases.unquoted(word) for word in LEXEME.findall(tsquery.text)})
    sql, params = MATCHED_SQL, [tsquery.text]
    branches = phrases.branches(tsquery.text)
    phrased = " | ".join(branch for branch in branches if phrases.has_phrase(branch))
    plain = " | ".join(branch for branch in branches if not phrases.has_phrase(branch))
    if requirement := phrases.necessary(tsquery.text):
        pairs, pairs_params = phrases.pairs_sql(requirement, "word_pairs(search_vector)")
        sql, params = MATCHED_PHRASE_SQL.format(pairs=pairs), [*pairs_params, tsquery.text]
    elif phrased and plain and (requirement := phrases.necessary(phrased)):
        pairs, pairs_params = phrases.pairs_sql(requirement, "word_pairs(search_vector)")
        sql = MATCHED_EITHER_SQL.format(pairs=pairs)
        params = [plain, *pairs_params, phrased]
    connection = connections[using]
    with index_first(using), connection.cursor() as cursor:
        # With any other index allowed, the planner may read every study's large vector to test
        # it (about 100 ms for a common word at 10,000 studies, against 6 ms through the GIN
        # index): it does not count that cost.
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(sql, params)
        matched = np.frombuffer(cursor.fetchone()[0], dtype=">i8")
    with connection.cursor() as cursor:  # through its index alone, which is now allowed
        cursor.execute(RANKS_SQL, (words,))
        terms, scores = cursor.fetchone()
    # Summed in the order the index gives (by word, then study), as PostgreSQL's sum() would.
    described, term_of = np.unique(np.frombuffer(terms, dtype=">i8"), return_inverse=True)
    ranks = np.bincount(term_of, weights=np.frombuffer(scores, dtype=">f8"))
    catalogue = current_catalogue()
    selected = catalogue.selection(unpublished=unpublished, filters=filters or {})
    selected &= catalogue.matching(matched)
    ids = catalogue.first(selected, described, ranks, offset, limit)
    count = int(np.count_nonzero(selected))
    return Found(ids, count, offset, facet_values(catalogue.counts(selected)) if facets else {})


# ts_headline's cost is the text it parses: the abstract when it holds a word of the query as
# typed (the study's own summary) or when the study's description matches (found by its title,
# authors or topics: its text is then not read at all), else a window of the PDF's text around
# the first such word. The text is read (and decompressed) once, in the inner statement: each
# mention of a column reads it again.
SNIPPETS_SQL = """
SELECT id, CASE WHEN language = 'fr'
    THEN ts_headline('asm_french', {passage}, %(french)s::tsquery, %(options)s)
    ELSE ts_headline('asm_english', {passage}, %(english)s::tsquery, %(options)s)
END
FROM (
    SELECT id, language, abstract,
        CASE WHEN abstract ILIKE ANY(%(patterns)s) OR rank_vector @@ %(query)s::tsquery THEN NULL
            ELSE left(text, %(characters)s) END
        AS body
    FROM publications_publication LEFT JOIN publications_searchdocument ON publication_id = id
    WHERE id = ANY(%(ids)s) OFFSET 0
) AS studies
"""


def like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def snippets(publications, query: str) -> dict[int, SafeString]:
    """A short passage of each study around the words searched for (and the thesaurus's
    alternatives to them), with those words marked."""
    ids = [publication.pk for publication in publications]
    query = expanded(query)
    words = query.words()
    if not ids or not words:
        return {}
    using = Publication.objects.filter(pk__in=ids).db
    if connections[using].vendor == "postgresql":
        tsquery = parsed(query, QUERY_CONFIGS, using)
        if tsquery is None:
            return {}
        # The usual cases of each word as typed, found case-sensitively in the text read once.
        cases = (str.lower, str.capitalize, str.upper)
        forms = list(dict.fromkeys(case(word) for word in words for case in (str, *cases)))
        params = {f"form{n}": form for n, form in enumerate(forms)}
        first = ", ".join(f"NULLIF(strpos(body, %(form{n})s), 0)" for n in range(len(forms)))
        start = f"greatest(LEAST({first}) - %(before)s, 1)"
        passage = f"COALESCE(substr(body, {start}, %(window)s), abstract)"
        # Each study's text is read in its own language's configuration, so only that
        # configuration's reading of the query can mark it (half the query to test).
        english, french = (parsed(query, (config,), using) or tsquery for config in QUERY_CONFIGS)
        with connections[using].cursor() as cursor:
            cursor.execute(
                SNIPPETS_SQL.format(passage=passage),
                {
                    **params,
                    "english": english.text,
                    "french": french.text,
                    "ids": ids,
                    "patterns": [f"%{like_escaped(word)}%" for word in words],
                    "characters": SNIPPET_SOURCE_CHARACTERS,
                    "before": WINDOW_BEFORE,
                    "window": WINDOW,
                    "query": tsquery.text,
                    "options": headline_options(max_words=30, min_words=12),
                },
            )
            rows = cursor.fetchall()
        return {pk: mark(passage) for pk, passage in rows if START in passage}
    match = fts_match(query, FTS_COLUMNS)
    if match is None:
        return {}
    marks = ", ".join("%s" for _ in ids)
    with connections[using].cursor() as cursor:
        cursor.execute(
            FTS_SNIPPETS.format(ids=marks), [START, STOP, FRAGMENT_DELIMITER, match, *ids]
        )
        rows = cursor.fetchall()
    return {pk: mark(passage) for pk, passage in rows if START in passage}


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
    # Labels are made plain strings once: sorting compares them, and a lazy one would be
    # translated again at each comparison.
    languages = {code: str(name) for code, name in settings.LANGUAGES}

    def by_count(values):
        return sorted(values, key=lambda facet: (-facet.count, facet.label))

    return {
        "kind": sorted(
            (FacetValue(kind, str(Kind(kind).label), n) for kind, n in counts["kind"]),
            key=lambda facet: (-facet.count, facet.value),
        ),
        "language": sorted(
            (FacetValue(code, languages.get(code, code), n) for code, n in counts["language"]),
            key=lambda facet: -facet.count,
        ),
        # The programme's countries first, as in every list of countries (core.countries).
        "country": sorted(
            (FacetValue(code, str(countries.name(code)), n) for code, n in counts["country"]),
            key=lambda facet: (first_rank(facet.value), -facet.count, facet.label),
        ),
        "topic": by_count(
            FacetValue(topic.slug, str(topic.label), n) for topic, n in counts["topic"]
        ),
        "year": sorted(
            (FacetValue(str(year), str(year), n) for year, n in counts["year"]),
            key=lambda facet: -int(facet.value),
        ),
    }


def named_topics() -> list[Named]:
    return [
        Named(
            "topic",
            topic.slug,
            (("en", topic.name), ("fr", topic.name_fr or topic.name)),
            address=("publications:list", {}, {"topic": topic.slug}),
        )
        for topic in Topic.objects.all()
    ]
