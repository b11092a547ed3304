"""Citing a study: BibTeX and RIS that reference managers read back, a Harvard line, and the
Google Scholar, OpenGraph and schema.org data of its page."""

import json
from html.parser import HTMLParser

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors
from django.urls import reverse

from publications import citations
from publications.models import Authorship, Coverage, Kind, Publication
from tests.factories import AuthorFactory, PublicationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "https://asm-pace.example/publications/global-solutions-study/"
PDF_URL = "https://asm-pace.example/publications/global-solutions-study/download/"


@pytest.fixture
def global_study():
    study = PublicationFactory(
        title="ASM-PACE Global Solutions Study",
        slug="global-solutions-study",
        kind=Kind.GLOBAL_STUDY,
        month=9,
        authors=["Cristina Villegas", "Ruby Weinberg", "Estelle Levin", "Kirsten Hund"],
        pdf=["A global review of artisanal mining in protected areas."],
    )
    Authorship.objects.create(
        publication=study, author=AuthorFactory(), given_names="Juan", family_name="Sève",
        role=Authorship.Role.CONTRIBUTOR, order=9,
    )  # fmt: skip
    study.topics.add(TopicFactory(slug="mercury", name="Mercury", name_fr="Mercure"))
    Coverage.objects.create(publication=study, country="MG")
    return loaded(study)


def loaded(study):
    """The study as the detail view reads it: authorships, topics and countries prefetched."""
    return Publication.objects.for_listing().prefetch_related("topics", "coverage").get(pk=study.pk)


def parse_bibtex(text):
    library = bibtexparser.parse_string(
        text, append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors()]
    )
    assert not library.failed_blocks
    [entry] = library.entries
    return entry


class Head(HTMLParser):
    """The meta tags (in order), canonical link and JSON-LD of a page."""

    def __init__(self, html):
        super().__init__()
        self.meta, self.canonical, self.json_ld, self.in_json_ld = [], None, [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.meta.append((attrs.get("name") or attrs.get("property"), attrs["content"]))
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]
        self.in_json_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self.in_json_ld = False

    def handle_data(self, data):
        if self.in_json_ld:
            self.json_ld.append(data)

    def values(self, name):
        return [content for key, content in self.meta if key == name]


def test_bibtex_reads_back_with_title_authors_in_order_and_date(global_study):
    text = citations.bibtex(global_study, URL)

    assert text.startswith("@techreport{villegas2012asmpace,")
    assert "title = {{ASM-PACE} {Global} {Solutions} {Study}}" in text
    assert "month = sep," in text
    entry = parse_bibtex(text)
    assert entry.entry_type == "techreport"
    assert entry.key == "villegas2012asmpace"
    assert entry["title"] == "ASM-PACE Global Solutions Study"
    assert entry["author"] == [
        "Villegas, Cristina", "Weinberg, Ruby", "Levin, Estelle", "Hund, Kirsten",
    ]  # fmt: skip
    assert (entry["year"], entry["month"], entry["language"]) == ("2012", "sep", "english")
    assert entry["institution"] == "Estelle Levin Ltd and WWF"
    assert entry["url"] == URL
    assert entry["note"] == global_study.rights


@pytest.mark.parametrize(
    ("title", "written"),
    [
        (
            "Gold & Mercury: 50% less, $5 per #1 gram_weight",
            r"{{Gold} \& {Mercury:} 50\% less, \$5 per \#1 gram\_weight}",
        ),
        (
            "Exploitation minière artisanale dans la Réserve d'Itombwe",
            "{{Exploitation} minière artisanale dans la {Réserve} {d'Itombwe}}",
        ),
    ],
)
def test_bibtex_special_characters_and_accents_round_trip(title, written):
    study = loaded(PublicationFactory(title=title, language="fr", authors=["Léonard Mubalama"]))

    text = citations.bibtex(study, URL)

    assert f"title = {written}," in text  # specials escaped, accents kept in UTF-8
    entry = parse_bibtex(text)
    assert entry["title"] == title
    assert entry["author"] == ["Mubalama, Léonard"]
    assert entry["language"] == "french"


def test_bibtex_escapes_braces_and_backslashes_without_unbalancing_the_entry():
    study = loaded(PublicationFactory(title=r"A {lone brace, a \ and ~ ^"))

    text = citations.bibtex(study, URL)

    assert (
        r"{A} \textbraceleft{}lone brace, a \textbackslash{} and \textasciitilde{} "
        r"\textasciicircum{}" in text
    )
    assert text.count("{") == text.count("}")
    assert parse_bibtex(text)["title"].startswith("A lone brace, a \\ and ~")


def test_a_toolkit_is_a_manual_and_a_study_without_authors_or_month_still_cites():
    study = loaded(PublicationFactory(title="The Toolkit", kind=Kind.TOOLKIT, month=None))

    text = citations.bibtex(study, URL)

    entry = parse_bibtex(text)
    assert (entry.entry_type, entry.key) == ("manual", "anonymous2012toolkit")
    assert entry["organization"] == "Estelle Levin Ltd and WWF"
    assert "author" not in entry.fields_dict
    assert "month" not in entry.fields_dict
    assert citations.formatted_citation(study) == "The Toolkit (2012) Estelle Levin Ltd and WWF."


def test_ris_reads_back_with_authors_date_and_urls(global_study):
    text = citations.ris(global_study, URL, PDF_URL)

    assert text.startswith("TY  - RPRT\r\n")
    assert text.endswith("ER  - \r\n")
    assert "\n" not in text.replace("\r\n", "")
    [entry] = rispy.loads(text)
    assert entry["type_of_reference"] == "RPRT"
    assert entry["title"] == "ASM-PACE Global Solutions Study"
    assert entry["authors"] == [
        "Villegas, Cristina", "Weinberg, Ruby", "Levin, Estelle", "Hund, Kirsten",
    ]  # fmt: skip
    assert (entry["year"], entry["date"]) == ("2012", "2012/09//")
    assert entry["publisher"] == "Estelle Levin Ltd and WWF"
    assert entry["language"] == "en"
    assert entry["urls"] == [URL]
    assert entry["file_attachments1"] == PDF_URL
    assert entry["keywords"] == ["Mercury"]
    assert entry["abstract"] == global_study.abstract


def test_ris_links_no_pdf_when_there_is_no_file():
    study = loaded(PublicationFactory(month=None))

    [entry] = rispy.loads(citations.ris(study, URL, PDF_URL))

    assert "file_attachments1" not in entry
    assert entry["date"] == "2012///"


def test_the_formatted_citation_is_harvard_style_with_initials(global_study):
    sierra_leone = loaded(PublicationFactory(
        title="Sierra Leone Case Study: Can Artisanal Mining and Conservation Co-Exist?", year=2013,
        authors=["Cristina Villegas", "Ansumana Babar Turay", "Daniel Sarmu"],
    ))  # fmt: skip
    toolkit = loaded(PublicationFactory(title="Methodological Toolkit", kind=Kind.TOOLKIT))
    for order, (given, family) in enumerate([("J.", "Hinton"), ("M. R.", "Hollestelle")]):
        Authorship.objects.create(publication=toolkit, author=AuthorFactory(), order=order,
                                  given_names=given, family_name=family)  # fmt: skip

    assert citations.formatted_citation(global_study) == (
        "Villegas, C., Weinberg, R., Levin, E. and Hund, K. (2012) "
        "ASM-PACE Global Solutions Study. Estelle Levin Ltd and WWF."
    )
    assert citations.formatted_citation(sierra_leone) == (
        "Villegas, C., Turay, A. B. and Sarmu, D. (2013) Sierra Leone Case Study: "
        "Can Artisanal Mining and Conservation Co-Exist? Estelle Levin Ltd and WWF."
    )
    assert citations.formatted_citation(loaded(toolkit)).startswith(
        "Hinton, J. and Hollestelle, M. R. (2012) Methodological Toolkit."
    )
    assert citations.initials("Jean-Pierre") == "J.-P."


def test_the_page_carries_scholar_and_opengraph_tags(client, global_study):
    response = client.get(global_study.get_absolute_url())

    head = Head(response.text)
    page_url = f"http://testserver{global_study.get_absolute_url()}"
    assert head.canonical == page_url
    assert head.values("citation_title") == ["ASM-PACE Global Solutions Study"]
    assert head.values("citation_author") == [
        "Villegas, Cristina", "Weinberg, Ruby", "Levin, Estelle", "Hund, Kirsten",
    ]  # fmt: skip
    assert head.values("citation_publication_date") == ["2012/09"]
    assert head.values("citation_language") == ["en"]
    assert head.values("citation_technical_report_institution") == ["Estelle Levin Ltd and WWF"]
    assert head.values("citation_pdf_url") == [
        f"http://testserver{global_study.get_download_url()}"
    ]
    assert head.values("citation_abstract_html_url") == [page_url]
    assert head.values("og:title") == ["ASM-PACE Global Solutions Study"]
    assert head.values("og:type") == ["article"]
    assert head.values("og:url") == [page_url]
    assert head.values("og:description") == [global_study.abstract]
    assert head.values("og:site_name") == ["ASM-PACE"]
    assert head.values("og:locale") == ["en_GB"]


def test_the_page_offers_the_citation_and_its_downloads(client, global_study):
    response = client.get(global_study.get_absolute_url())

    assert "Cite this study" in response.text
    assert "Villegas, C., Weinberg, R., Levin, E. and Hund, K. (2012)" in response.text
    assert f'href="{reverse("publications:bibtex", args=[global_study.slug])}"' in response.text
    assert f'href="{reverse("publications:ris", args=[global_study.slug])}"' in response.text


def test_no_pdf_tag_without_a_file_and_french_studies_say_so(client):
    study = PublicationFactory(title="Étude sans fichier", language="fr", month=None)

    head = Head(client.get(study.get_absolute_url()).text)

    assert head.values("citation_pdf_url") == []
    assert head.values("citation_publication_date") == ["2012"]
    assert head.values("og:locale") == ["fr_FR"]
    [data] = map(json.loads, head.json_ld)
    assert "encoding" not in data
    assert (data["datePublished"], data["inLanguage"]) == ("2012", "fr")


def test_the_page_describes_the_study_in_json_ld(client, global_study):
    response = client.get(global_study.get_absolute_url())

    [data] = map(json.loads, Head(response.text).json_ld)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Report"
    assert data["name"] == "ASM-PACE Global Solutions Study"
    assert data["url"] == f"http://testserver{global_study.get_absolute_url()}"
    assert [a["name"] for a in data["author"]] == [
        "Cristina Villegas", "Ruby Weinberg", "Estelle Levin", "Kirsten Hund",
    ]  # fmt: skip
    assert data["author"][0] == {
        "@type": "Person", "name": "Cristina Villegas",
        "givenName": "Cristina", "familyName": "Villegas",
    }  # fmt: skip
    assert [c["name"] for c in data["contributor"]] == ["Juan Sève"]
    assert data["datePublished"] == "2012-09"
    assert data["inLanguage"] == "en"
    assert data["publisher"] == {"@type": "Organization", "name": "Estelle Levin Ltd and WWF"}
    assert data["abstract"] == global_study.abstract
    assert data["copyrightNotice"] == global_study.rights
    assert data["about"] == [{"@type": "Thing", "name": "Mercury"}]
    assert data["spatialCoverage"] == [{"@type": "Country", "name": "Madagascar"}]
    assert data["encoding"] == {
        "@type": "MediaObject",
        "contentUrl": f"http://testserver{global_study.get_download_url()}",
        "encodingFormat": "application/pdf",
        "contentSize": f"{global_study.file_size} B",
    }


def test_a_hostile_title_stays_inside_the_json_ld(client):
    title = "</script><script>alert(1)</script> & <!-- Mining"
    study = PublicationFactory(title=title)

    response = client.get(study.get_absolute_url())

    assert "<script>alert(1)" not in response.text
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in response.text
    head = Head(response.text)
    [data] = map(json.loads, head.json_ld)
    assert data["name"] == title
    assert head.values("citation_title") == [title]
    # A data block, which no policy blocks: the page needs no nonce, and can be cached.
    assert '<script type="application/ld+json">' in response.text
    assert "nonce-" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "content_type", "extension"),
    [
        ("publications:bibtex", "application/x-bibtex; charset=utf-8", "bib"),
        ("publications:ris", "application/x-research-info-systems; charset=utf-8", "ris"),
    ],
)
def test_citation_downloads_are_attachments_hidden_until_published(
    client, name, content_type, extension
):
    draft = PublicationFactory(title="Draft study", slug="draft-study", is_published=False,
                               published_at=None, authors=["Rob Small"])  # fmt: skip
    url = reverse(name, args=[draft.slug])

    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404

    client.force_login(UserFactory(groups=["Editors"], is_staff=True))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="draft-study.{extension}"'
    assert response["Cache-Control"] == "private, no-store"  # no shared cache keeps a draft
    body = response.content.decode()
    assert "Small, Rob" in body
    assert f"http://testserver{draft.get_absolute_url()}" in body


def test_published_citation_downloads_link_the_pdf(client, global_study):
    bib = client.get(reverse("publications:bibtex", args=[global_study.slug]))
    ris = client.get(reverse("publications:ris", args=[global_study.slug]))

    assert parse_bibtex(bib.content.decode())["title"] == "ASM-PACE Global Solutions Study"
    assert bib["Cache-Control"] == ris["Cache-Control"] == "public, max-age=3600"
    [entry] = rispy.loads(ris.content.decode())
    assert entry["file_attachments1"] == f"http://testserver{global_study.get_download_url()}"
