"""Finding studies: full-text search on PostgreSQL, a plain fallback on SQLite, and facets.

On PostgreSQL each study has a stored tsvector (GIN-indexed) built with the configuration of
its own language, and a query is tried in English and in French, so that "mining" finds
"mines" in an English study and "minière" finds "minier" in a French one. Snippets come from
ts_headline and are escaped before anything is marked (core.search), so nothing from a PDF
reaches the page as HTML.
"""

import contextlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchRank, SearchVector
from django.db import connections, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat, Left
from django.utils.safestring import SafeString
from django_countries import countries

from core.search import START, headline, mark, plain_passage, terms, uses_postgres, websearch

from .models import Authorship, Coverage, Kind, Publication, Topic

SNIPPET_SOURCE_CHARACTERS = 100_000
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
    queryset.update(
        rank_vector=described,
        search_vector=described
        + SearchVector(Left("text", INDEXED_TEXT_CHARACTERS), weight="D", config=config),
    )


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


def snippets(publications, query: str) -> dict[int, SafeString]:
    """A short passage of each study around the words searched for, with those words marked."""
    ids = [publication.pk for publication in publications]
    if not ids or not query.strip():
        return {}
    queryset = Publication.objects.filter(pk__in=ids)
    if uses_postgres(queryset):
        source = Concat("abstract", Value(" … "), Left("text", SNIPPET_SOURCE_CHARACTERS))
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


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


def facet_counts(queryset) -> dict[str, list[FacetValue]]:
    """How many of the studies found fall under each kind, language, country, topic and year."""
    found = queryset.order_by().values("pk")
    plain = Publication.objects.filter(pk__in=found).order_by()
    languages = dict(settings.LANGUAGES)
    return {
        "kind": [
            FacetValue(row["kind"], Kind(row["kind"]).label, row["n"])
            for row in plain.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
        ],
        "language": [
            FacetValue(row["language"], languages.get(row["language"], row["language"]), row["n"])
            for row in plain.values("language").annotate(n=Count("pk")).order_by("-n")
        ],
        "country": sorted(
            (
                FacetValue(row["country"], countries.name(row["country"]), row["n"])
                for row in Coverage.objects.filter(publication__in=found)
                .values("country")
                .annotate(n=Count("publication"))
            ),
            key=lambda facet: (-facet.count, facet.label),
        ),
        "topic": sorted(
            (
                FacetValue(topic.slug, topic.label, topic.n)
                for topic in Topic.objects.filter(publication__in=found).annotate(
                    n=Count("publication")
                )
            ),
            key=lambda facet: (-facet.count, facet.label),
        ),
        "year": [
            FacetValue(str(row["year"]), str(row["year"]), row["n"])
            for row in plain.values("year").annotate(n=Count("pk")).order_by("-year")
        ],
    }
