"""Browsing and searching the library: facets with counts, full text, pagination."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core import search as core_search
from publications.models import Coverage, Kind
from tests.factories import PublicationFactory, TopicFactory

pytestmark = pytest.mark.django_db

LIST = reverse("publications:list")


def titles(response):
    return [publication.title for publication in response.context["publications"]]


def facet(response, name):
    """{label: (count, selected)} of one facet as the page shows it."""
    (found,) = [f for f in response.context["facets"] if f["name"] == name]
    return {v["facet"].label: (v["facet"].count, v["selected"]) for v in found["values"]}


@pytest.fixture
def library():
    mercury = TopicFactory(slug="mercury", name="Mercury", name_fr="Mercure")
    gender = TopicFactory(slug="gender", name="Gender", name_fr="Genre")
    madagascar = PublicationFactory(
        title="Mining rushes in Madagascar",
        year=2012,
        authors=["Rupert Cook", "Timothy Healy"],
        pdf=["Sapphire rushes reached the Ankarafantsika national park in 2011."],
    )
    madagascar.topics.add(mercury)
    Coverage.objects.create(publication=madagascar, country="MG")
    sierra_leone = PublicationFactory(
        title="Can mining and conservation co-exist?", year=2013, authors=["Daniel Sarmu"]
    )
    sierra_leone.topics.add(mercury, gender)
    Coverage.objects.create(publication=sierra_leone, country="SL")
    itombwe = PublicationFactory(
        title="Exploitation minière artisanale dans la Réserve d'Itombwe",
        language="fr",
        year=2012,
        abstract="Les exploitants miniers et les communautés autour de la réserve.",
        authors=["Alain Chishugi"],
    )
    Coverage.objects.create(publication=itombwe, country="CD")
    toolkit = PublicationFactory(
        title="Methodological toolkit", kind=Kind.TOOLKIT, year=2012, authors=["J. Hinton"]
    )
    return {"madagascar": madagascar, "sierra_leone": sierra_leone, "itombwe": itombwe,
            "toolkit": toolkit}  # fmt: skip


def test_the_library_lists_published_studies_newest_first(client, library):
    PublicationFactory(title="Draft nobody may see", is_published=False)

    response = client.get(LIST)

    assert response.status_code == 200
    assert titles(response)[0] == "Can mining and conservation co-exist?"
    assert set(titles(response)) == {p.title for p in library.values()}
    assert "Draft nobody may see" not in response.text
    assert "4 studies found" in response.text


def test_facets_count_what_is_found_and_filters_combine(client, library):
    response = client.get(LIST)
    assert facet(response, "kind") == {"Case study": (3, False), "Toolkit": (1, False)}
    assert facet(response, "language") == {"English": (3, False), "French": (1, False)}
    assert facet(response, "year") == {"2013": (1, False), "2012": (3, False)}
    assert facet(response, "topic") == {"Mercury": (2, False), "Gender": (1, False)}
    assert facet(response, "country")["Madagascar"] == (1, False)

    response = client.get(LIST, {"topic": "mercury", "year": "2012"})

    assert titles(response) == ["Mining rushes in Madagascar"]
    assert facet(response, "topic") == {"Mercury": (1, True)}
    assert facet(response, "kind") == {"Case study": (1, False)}


def test_a_selected_facet_links_to_the_list_without_it(client, library):
    response = client.get(LIST, {"kind": "toolkit", "q": "toolkit"})

    (toolkit,) = next(f for f in response.context["facets"] if f["name"] == "kind")["values"]
    assert toolkit["selected"]
    assert toolkit["href"] == "?q=toolkit"
    assert (
        '<li><a href="?q=toolkit" aria-current="true" class="fw-bold" rel="nofollow">'
        '<span aria-hidden="true">✓ </span>Toolkit</a> <span class="badge text-bg-light">1</span> '
        '<span class="visually-hidden">(selected: follow to remove)</span></li>'
    ) in response.text
    assert '<input type="hidden" name="kind" value="toolkit">' in response.text


def test_a_facet_value_links_to_the_list_narrowed_to_it_keeping_the_search(client, library):
    response = client.get(LIST, {"q": "mining", "page": "1"})

    assert (
        '<li><a href="?q=mining&amp;country=SL" rel="nofollow">Sierra Leone</a> '
        '<span class="badge text-bg-light">1</span></li>'
    ) in response.text
    # Nothing selected, nothing carried along by the search form (the language switch carries
    # the page's address).
    assert not re.search(r'type="hidden" name="(kind|language|country|topic|year)"', response.text)


def test_the_language_filter_keeps_only_that_language(client, library):
    response = client.get(LIST, {"language": "fr"})

    assert titles(response) == ["Exploitation minière artisanale dans la Réserve d'Itombwe"]
    assert 'lang="fr"' in response.text


def test_unknown_filter_values_are_ignored_not_fatal(client, library):
    response = client.get(LIST, {"year": "soon", "kind": "poem", "country": "XX"})

    assert response.status_code == 200
    assert len(titles(response)) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rushes", ["Mining rushes in Madagascar"]),
        ("Healy", ["Mining rushes in Madagascar"]),  # an author
        ("sapphire Ankarafantsika", ["Mining rushes in Madagascar"]),  # only inside the PDF
        ("co-exist conservation", ["Can mining and conservation co-exist?"]),
        ("communautés", ["Exploitation minière artisanale dans la Réserve d'Itombwe"]),
        ("platinum", []),
    ],
)
def test_search_finds_title_authors_abstract_and_pdf_text(client, library, query, expected):
    response = client.get(LIST, {"q": query})

    assert titles(response) == expected


def test_words_found_inside_a_pdf_are_shown_highlighted(client, library):
    response = client.get(LIST, {"q": "Ankarafantsika"})

    snippet = response.context["publications"][0].snippet
    assert "<mark>Ankarafantsika</mark>" in snippet
    assert "<mark>Ankarafantsika</mark>" in response.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ts_headline is PostgreSQL's")
def test_a_snippet_comes_from_the_abstract_when_it_holds_the_word_else_from_the_text(client):
    PublicationFactory(
        title="One", abstract="Tantalum is traded here.", text="The PDF says tantalum too."
    )
    PublicationFactory(
        title="Two", abstract="A study of the trade.", text="Page 4: tantalum smuggled."
    )

    response = client.get(LIST, {"q": "tantalum"})

    snippets = {study.title: study.snippet for study in response.context["publications"]}
    assert "<mark>Tantalum</mark> is traded here" in snippets["One"]
    assert "PDF says" not in snippets["One"]
    assert "<mark>tantalum</mark> smuggled" in snippets["Two"]


def test_snippets_escape_what_the_pdf_says(client):
    PublicationFactory(abstract="Bad <script>alert(1)</script> uranium prospects")

    response = client.get(LIST, {"q": "uranium"})

    assert "<mark>uranium</mark>" in response.text
    assert "<script>alert(1)" not in response.text


def test_highlighting_escapes_before_it_marks():
    marked = core_search.mark(f"a <b>bold</b> {core_search.START}claim{core_search.STOP} & more")

    assert marked == "a &lt;b&gt;bold&lt;/b&gt; <mark>claim</mark> &amp; more"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_postgres_search_stems_english_and_french_and_ranks_titles_first(client, library):
    PublicationFactory(title="Annex", abstract="A list of rush sites.")

    english = client.get(LIST, {"q": "rush"})
    french = client.get(LIST, {"q": "exploitations"})

    assert titles(english) == ["Mining rushes in Madagascar", "Annex"]
    assert titles(french) == ["Exploitation minière artisanale dans la Réserve d'Itombwe"]


def test_search_and_filters_share_one_bookmarkable_url(client, library):
    response = client.get(LIST, {"q": "mining", "country": "SL"})

    assert titles(response) == ["Can mining and conservation co-exist?"]
    assert '<input type="hidden" name="country" value="SL">' in response.text
    assert 'value="mining"' in response.text


def test_results_are_paginated_with_links_that_keep_the_search(client):
    PublicationFactory.create_batch(23, title="Livelihood study")

    first = client.get(LIST, {"q": "livelihood"})
    second = client.get(LIST, {"q": "livelihood", "page": "2"})

    assert len(titles(first)) == 20
    assert len(titles(second)) == 3
    assert 'href="?q=livelihood&amp;page=2"' in first.text
    assert "Page 2 of 2" in second.text
    assert client.get(LIST, {"page": "9"}).status_code == 404


def test_the_french_interface_names_facets_in_french(client, library):
    with translation.override("fr"):  # the French address; the labels read in French
        response = client.get(reverse("publications:list"))

        assert "Mercure" in facet(response, "topic")
        assert "Étude de cas" in facet(response, "kind")
    assert re.search(r"4 études", response.text)


def build_catalogue(size):
    topics = [TopicFactory(slug=f"t{n}") for n in range(3)]
    for n in range(size):
        publication = PublicationFactory(
            year=2000 + n % 20, authors=[f"Given{n} Family{n}", f"Other{n} Person{n}"]
        )
        publication.topics.add(topics[n % 3])
        Coverage.objects.create(publication=publication, country=["MG", "SL", "CD"][n % 3])


@pytest.mark.parametrize("params", [{}, {"q": "study"}, {"topic": "t1", "country": "SL"}])
@pytest.mark.usefixtures("page_cache_off")
def test_the_list_costs_the_same_queries_for_3_or_300_studies(
    client, django_assert_num_queries, params
):
    build_catalogue(3)
    client.get(LIST)  # fills the caches every page shares (footer links)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST, params)
    build_catalogue(297)

    with django_assert_num_queries(len(small)):
        response = client.get(LIST, params)

    assert response.status_code == 200
    # A search without the page cache reads the library's catalogue too (four queries, kept
    # between searches when the cache holds its version: publications.catalogue), and the
    # vocabulary that expands the query (five: thesaurus.vocabulary).
    assert len(small) <= 19
