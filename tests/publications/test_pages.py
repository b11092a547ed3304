"""A study's page, the feed and the sitemap; unpublished studies stay invisible everywhere."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from publications.models import Authorship, Coverage
from tests.factories import AuthorFactory, PublicationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# The sitemap of studies in each language (/sitemap.xml is their index).
SITEMAPS_OF_STUDIES = [
    reverse("sitemap_section", kwargs={"section": f"{language}-publications"})
    for language in ("en", "fr")
]


@pytest.fixture
def itombwe():
    study = PublicationFactory(
        title="Exploitation minière artisanale dans la Réserve d'Itombwe",
        slug="drc-itombwe-case-study",
        language="fr",
        month=None,
        authors=["Ruby Weinberg", "Alain Chishugi"],
        pdf=["Une page.", "Deux pages. " * 400],
    )
    Authorship.objects.create(
        publication=study, author=AuthorFactory(), given_names="Juan", family_name="Sève",
        role=Authorship.Role.CONTRIBUTOR, order=5,
    )  # fmt: skip
    Coverage.objects.create(publication=study, country="CD")
    study.topics.add(TopicFactory(slug="governance", name="Governance", name_fr="Gouvernance"))
    return study


def test_a_study_page_shows_everything_a_reader_needs(client, itombwe):
    english = PublicationFactory(title="Itombwe summary in English", language="en")
    itombwe.translations.add(english)

    response = client.get(itombwe.get_absolute_url())

    text = response.text
    assert response.status_code == 200
    assert '<article class="publication" lang="fr">' in text
    assert "Ruby Weinberg and Alain Chishugi" in text
    assert "With contributions from" in text
    assert "Juan Sève" in text
    assert "Democratic Republic of the Congo" in text
    assert 'href="/en/publications/?topic=governance"' in text
    assert "© Estelle Levin Limited and WWF" in text
    assert f'href="{itombwe.get_download_url()}"' in text
    assert itombwe.page_count == 2
    assert "2 pages" in text
    assert "Itombwe summary in English" in text
    assert ">2012," in text


@pytest.mark.usefixtures("page_cache_off")
def test_the_study_page_costs_the_same_queries_however_rich(client, itombwe):
    plain = PublicationFactory()
    client.get(plain.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(plain.get_absolute_url())
    for n in range(20):
        other = PublicationFactory(authors=[f"Given{n} Family{n}"])
        itombwe.translations.add(other)
        itombwe.topics.add(TopicFactory())
        Authorship.objects.create(
            publication=itombwe, author=AuthorFactory(), family_name=f"Extra{n}", order=10 + n
        )
    Coverage.objects.bulk_create(
        Coverage(publication=itombwe, country=code) for code in ("SL", "LR", "MG", "GH")
    )

    with CaptureQueriesContext(connection) as rich:
        client.get(itombwe.get_absolute_url())

    assert len(rich) == len(few) <= 8


def test_the_feed_and_sitemap_cost_the_same_queries_for_3_or_60_studies(
    client, django_assert_max_num_queries
):
    PublicationFactory.create_batch(3, authors=["Rob Small", "Rupert Cook"])
    urls = [reverse("publications:feed"), reverse("sitemap"), *SITEMAPS_OF_STUDIES]
    with CaptureQueriesContext(connection) as few:
        for url in urls:
            client.get(url)
    PublicationFactory.create_batch(57, authors=["Rob Small", "Rupert Cook"])

    with django_assert_max_num_queries(len(few)):
        for url in urls:
            client.get(url)


def test_unpublished_studies_are_invisible_to_everyone_but_editors(client):
    hidden = PublicationFactory(title="Embargoed draft", is_published=False, published_at=None,
                                pdf=["embargoed words"])  # fmt: skip
    urls = [
        hidden.get_absolute_url(),
        hidden.get_download_url(),
        reverse("publications:bibtex", args=[hidden.slug]),
        reverse("publications:ris", args=[hidden.slug]),
    ]
    for user in (None, UserFactory(), UserFactory(groups=["Moderators"], is_staff=True)):
        if user:
            client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404] * 4
        assert "Embargoed" not in client.get(reverse("publications:list"), {"q": "embargoed"}).text
        assert "Embargoed" not in client.get(reverse("publications:feed")).text
        for sitemap in SITEMAPS_OF_STUDIES:
            assert hidden.slug not in client.get(sitemap).text

    client.force_login(UserFactory(groups=["Editors"], is_staff=True))
    preview = client.get(hidden.get_absolute_url())
    assert preview.status_code == 200
    assert "Not published: only editors see this study." in preview.text
    assert "Embargoed" not in client.get(reverse("publications:list")).text


def test_the_feed_announces_new_studies_with_their_pdf(client, itombwe):
    PublicationFactory(title="Older study", published_at=itombwe.published_at.replace(year=2020))

    response = client.get(reverse("publications:feed"))

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [itombwe.title, "Older study"]
    enclosure = entries[0].find(f"{ATOM}link[@rel='enclosure']")
    assert enclosure.get("href").endswith(itombwe.get_download_url())
    assert enclosure.get("length") == str(itombwe.file_size)
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "Ruby Weinberg, Alain Chishugi"


def test_the_sitemap_lists_pages_and_published_studies(client, itombwe):
    for language, sitemap in zip(("en", "fr"), SITEMAPS_OF_STUDIES, strict=True):
        response = client.get(sitemap)

        locations = [loc.text for loc in ET.fromstring(response.content).iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]  # fmt: skip
        with translation.override(language):
            assert any(loc.endswith(itombwe.get_absolute_url()) for loc in locations)


def test_the_library_has_a_way_in_from_the_home_page(client):
    response = client.get(reverse("portal:home"))

    assert f'href="{reverse("publications:list")}"' in response.text


def test_a_french_reader_is_told_which_words_of_a_study_are_english(client):
    study = PublicationFactory(language="en", rights="© WWF; reproduction with credit")

    with translation.override("fr"):
        page = client.get(study.get_absolute_url()).text

    assert '<article class="publication" lang="en">' in page
    assert '<dd lang="en">© WWF; reproduction with credit</dd>' in page
    assert '<span lang="en">' + study.publisher + "</span>" in page
