"""The library's search on PostgreSQL: matched once, then ranked, counted and faceted from it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import phrases
from core.query import parse
from core.search import parsed
from publications import search, services
from publications.models import Coverage, Publication
from tests.factories import PublicationFactory, TopicFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full text"),
]

LIST = reverse("publications:list")


def test_described_studies_rank_first_then_the_others_newest_first():
    in_text_new = PublicationFactory(title="Annual report", year=2020, pdf=["Cobalt flows."])
    in_text_old = PublicationFactory(title="Old report", year=2001, pdf=["Cobalt again."])
    in_abstract = PublicationFactory(title="Field notes", year=2005, abstract="Cobalt pits.")
    in_title = PublicationFactory(title="Cobalt in Katanga", year=2003)
    PublicationFactory(title="Gold", year=2022, pdf=["Nothing of that metal."])

    found = search.found("cobalt", unpublished=True)

    # The same order as ranking every match (the slow way) gives.
    assert found.ids == list(
        search.matching(Publication.objects.all(), "cobalt").values_list("pk", flat=True)
    )
    assert found.ids == [in_title.pk, in_abstract.pk, in_text_new.pk, in_text_old.pk]


def test_facets_and_count_come_from_the_one_match(client):
    topic = TopicFactory(slug="cobalt", name="Cobalt", name_fr="Cobalt")
    for n, country in enumerate(["CD", "CD", "ZM"]):
        study = PublicationFactory(title=f"Cobalt {n}", year=2010 + n % 2)
        Coverage.objects.create(publication=study, country=country)
        study.topics.add(topic)
    PublicationFactory(title="Copper", year=2012)

    found = search.found("cobalt")
    facets = {name: {v.value: v.count for v in values} for name, values in found.facets.items()}

    assert len(found.ids) == 3
    assert facets["country"] == {"CD": 2, "ZM": 1}
    assert facets["topic"] == {"cobalt": 3}
    assert facets["year"] == {"2010": 2, "2011": 1}
    assert [v.value for v in found.facets["year"]] == ["2011", "2010"]
    response = client.get(LIST, {"q": "cobalt", "country": "ZM"})
    assert [p.title for p in response.context["publications"]] == ["Cobalt 2"]
    assert response.context["paginator"].count == 1


def test_a_word_deep_in_the_pdf_is_shown_marked_and_nothing_else(client):
    filler = "Nothing to see here at all. " * 400  # about 11,000 characters
    PublicationFactory(title="Deep", pdf=[filler + "The <b>tantalum</b> trade begins here."])

    response = client.get(LIST, {"q": "tantalum"})

    (study,) = response.context["publications"]
    assert "<mark>tantalum</mark>" in study.snippet
    assert "<b>" not in study.snippet


def test_a_snippet_comes_from_where_the_word_is_however_it_is_written(client):
    filler = "Nothing to see here at all. " * 400
    PublicationFactory(title="Deep", abstract="A summary.", pdf=[filler + "TANTALUM trade."])
    PublicationFactory(title="Summary", abstract="Tantalum in the summary.", pdf=[filler])
    PublicationFactory(title="Tantalum by its title", abstract="No such word here.")

    response = client.get(LIST, {"q": "tantalum"})

    snippets = {study.title: study.snippet for study in response.context["publications"]}
    assert "<mark>TANTALUM</mark> trade" in snippets["Deep"]
    assert snippets["Summary"] == "<mark>Tantalum</mark> in the summary"
    assert snippets["Tantalum by its title"] is None  # its abstract is shown instead
    assert "No such word here." in response.text


def test_a_study_found_by_its_title_shows_its_abstract_and_its_text_is_not_read(client):
    PublicationFactory(title="Tantalum atlas", abstract="Maps.", pdf=["Page 9: tantalum sold."])

    response = client.get(LIST, {"q": "tantalum"})

    (study,) = response.context["publications"]
    assert study.snippet is None
    assert "Maps." in response.text
    assert "sold" not in response.text


def test_the_match_keeps_to_the_studies_asked_about():
    """The match reads the whole table through its index; the studies asked about (published,
    filtered) are chosen from it afterwards."""
    shown = PublicationFactory(title="Cobalt, published", kind="case_study")
    PublicationFactory(title="Cobalt, in preparation", is_published=False)
    PublicationFactory(title="Cobalt, another kind", kind="toolkit")

    found = search.found("cobalt", filters={"kind": "case_study"})

    assert found.ids == [shown.pk]
    assert {v.value: v.count for v in found.facets["kind"]} == {"case_study": 1}


def test_the_match_reads_the_narrow_table_of_vectors_through_its_index():
    """Not the studies' own rows, fifteen times wider (SearchDocument, migration 0011)."""
    PublicationFactory(title="Cobalt")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + search.MATCHED_SQL, ["cobalt"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "publication_search_vector" in plan
    assert "publications_searchdocument" in plan
    assert "publications_publication" not in plan


@pytest.mark.parametrize("query", ["\ufffd\ufffd", "the", "&|!"])
def test_a_query_without_a_word_finds_nothing(client, query):
    PublicationFactory(title="The cobalt report")

    assert search.found(query).ids == []
    assert client.get(LIST, {"q": query}).status_code == 200


def terms_of(study):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme, score, ts_rank(d.rank_vector, quote_literal(lexeme)::tsquery) "
            "FROM publications_searchterm t JOIN publications_searchdocument d "
            "USING (publication_id) WHERE publication_id = %s",
            [study.pk],
        )
        return {lexeme: (score, rank) for lexeme, score, rank in cursor.fetchall()}


def test_each_word_of_a_description_carries_its_share_of_the_rank():
    study = PublicationFactory(
        title="Cobalt and cobalt", abstract="Cobalt pits, gold pits.", authors=["Ann Lee"]
    )

    terms = terms_of(study)

    assert {"cobalt", "pit", "gold", "lee"} <= set(terms)
    for score, rank in terms.values():  # one word: ts_rank itself
        assert score == pytest.approx(rank, rel=1e-6)
    # Several words: their mean, as ts_rank of a query whose top is OR.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_rank(rank_vector, 'cobalt | gold | zinc'::tsquery) "
            "FROM publications_searchdocument WHERE publication_id = %s",
            [study.pk],
        )
        (rank,) = cursor.fetchone()
    assert (terms["cobalt"][0] + terms["gold"][0]) / 3 == pytest.approx(rank, rel=1e-6)


def test_the_words_follow_an_edit_and_go_with_the_study():
    study = PublicationFactory(title="Cobalt flows", abstract="")
    other = PublicationFactory(title="Cobalt again", abstract="")

    Publication.objects.filter(pk=study.pk).update(title="Tantalum flows")
    search.index_publication(study.pk)

    assert "tantalum" in terms_of(study)
    assert "cobalt" not in terms_of(study)
    assert search.found("cobalt", unpublished=True).ids == [other.pk]
    assert search.found("tantalum", unpublished=True).ids == [study.pk]

    study.delete()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM publications_searchterm WHERE publication_id = %s", [study.pk]
        )
        assert cursor.fetchone()[0] == 0
    assert "cobalt" in terms_of(other)


def test_an_unpublished_study_is_no_longer_found_by_readers():
    study = PublicationFactory(title="Cobalt flows")
    assert search.found("cobalt").ids == [study.pk]

    services.publication_publish(publication=study, published=False)

    assert search.found("cobalt").ids == []
    assert search.found("cobalt", unpublished=True).ids == [study.pk]


def test_words_in_two_languages_rank_as_ts_rank_does():
    """Titles first, then the abstract: the order ranking every match with ts_rank gives."""
    PublicationFactory(title="Exploitation minière", language="fr", abstract="Or et mines.")
    PublicationFactory(title="Mines and mining", abstract="Gold mining.")
    PublicationFactory(title="Field notes", abstract="A mine.")
    PublicationFactory(title="Other", abstract="Nothing.", pdf=["Mining deep in the text."])

    for query in ("mining", "gold mining", "minière or"):
        found = search.found(query, unpublished=True)
        slow = search.matching(Publication.objects.all(), query)
        assert found.ids == list(slow.values_list("pk", flat=True)), query


def colliding_pairs():
    """Two word pairs whose keys in the pair index are the same."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(n ORDER BY n) FROM generate_series(1, 20000) AS n "
            "GROUP BY word_pair_key('xq' || n, 'yq' || n) HAVING count(*) > 1 LIMIT 1"
        )
        first, second = cursor.fetchone()[0][:2]
    return f"xq{first} yq{first}", f"xq{second} yq{second}"


def test_pair_keys_spread_over_2_to_the_24_buckets_the_same_in_the_index_and_the_query():
    """In 2^20 buckets, half of a phrase's candidates at 10,000 studies were false (migration
    publications 0012)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(key), max(key), bool_and(ARRAY[key] = word_pairs(to_tsvector("
            "'simple', 'xq' || n || ' yq' || n))) FROM (SELECT n, word_pair_key('xq' || n, "
            "'yq' || n) AS key FROM generate_series(1, 2000) AS n) AS keys"
        )
        lowest, highest, same_in_index = cursor.fetchone()

    assert lowest >= 0
    assert 2**20 <= highest < 2**24
    assert same_in_index


def test_a_phrase_is_found_through_the_pair_index_exactly_as_the_query_says():
    in_pdf = PublicationFactory(title="Report", pdf=["Mining in the buffer zone of the park."])
    in_title = PublicationFactory(title="Buffer zones", abstract="Zone tampon.", year=2001)
    PublicationFactory(title="Apart", abstract="A buffer of trees round a zone of mining.")
    phrase, same_key = colliding_pairs()
    with_phrase = PublicationFactory(title="Codes", abstract=f"Code {phrase} here.")
    PublicationFactory(title="Codes again", abstract=f"Code {same_key} here.")

    for query, expected in [
        ('"buffer zone"', [in_title, in_pdf]),
        ('"zone tampon"', [in_title]),
        ('"buffer zone" -park', [in_title]),
        ('"buffer zone" OR "zone tampon"', [in_title, in_pdf]),
        ('"zone mining"', []),  # both words, not side by side
        (f'"{phrase}"', [with_phrase]),  # the other pair shares its key: the query decides
    ]:
        found = search.found(query, unpublished=True)
        slow = search.matching(Publication.objects.all(), query)
        assert found.ids == [study.pk for study in expected], query
        assert found.ids == list(slow.values_list("pk", flat=True)), query


def test_a_phrase_reads_only_the_studies_holding_its_pairs():
    """Through the pairs' index alone: combined with the vectors' index, PostgreSQL would
    recheck each candidate by working out its word pairs again."""
    for n in range(30):
        PublicationFactory(title=f"Buffer zone {n}", abstract="Mining around the park.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE publications_searchdocument")
    tsquery = parsed(parse('"buffer zone"'), search.QUERY_CONFIGS)
    pairs, params = phrases.pairs_sql(phrases.necessary(tsquery.text), "word_pairs(search_vector)")
    statement = search.MATCHED_PHRASE_SQL.format(pairs=pairs)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {statement}", [*params, tsquery.text])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "publication_word_pairs" in plan
    assert "publication_search_vector" not in plan


def catalogue_read(queries):
    return any("publications_coverage" in query["sql"] for query in queries.captured_queries)


def test_the_catalogue_is_read_once_per_change_of_the_library():
    topic = TopicFactory(slug="cobalt")
    first = PublicationFactory(title="Cobalt one", year=2010)
    first.topics.add(topic)
    search.found("cobalt")  # reads the catalogue

    with CaptureQueriesContext(connection) as queries:
        found = search.found("cobalt")
    assert found.count == 1
    assert not catalogue_read(queries)

    second = PublicationFactory(title="Cobalt two", year=2011)
    Coverage.objects.create(publication=second, country="ZM")
    second.topics.add(topic)
    with CaptureQueriesContext(connection) as queries:
        found = search.found("cobalt")
    assert catalogue_read(queries)
    facets = {name: {v.value: v.count for v in values} for name, values in found.facets.items()}

    assert found.ids == [second.pk, first.pk]
    assert facets["topic"] == {"cobalt": 2}
    assert facets["country"] == {"ZM": 1}
    services.publication_publish(publication=first, published=False)
    assert search.found("cobalt").ids == [second.pk]
    assert search.found("cobalt", filters={"country": "CD"}).ids == []
    assert search.found("cobalt", filters={"topic": "no-such-topic"}).count == 0
