"""The programme's real catalogue, loaded by `make run` through manage.py load_content."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from publications.content import load_catalogue
from publications.models import Author, Extraction, Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(committed):
    with committed():
        load_catalogue()
    return {p.slug: p for p in Publication.objects.for_listing().prefetch_related("coverage")}


def test_the_six_studies_load_published_with_demonstration_files(catalogue):
    assert len(catalogue) == 6
    study = catalogue["global-solutions-study"]
    assert study.title == "ASM-PACE Global Solutions Study"
    assert (study.year, study.month, study.language) == (2012, 9, "en")
    assert study.rights == (
        "© Estelle Levin Limited and WWF; reproduction with credit to title and publisher"
    )
    assert all(p.is_published and p.extraction == Extraction.DONE for p in catalogue.values())
    first_page = PdfReader(io.BytesIO(study.file.read())).pages[0].extract_text()
    assert "DEMONSTRATION FILE - NOT THE STUDY" in first_page
    assert "Editors upload the original PDF" in first_page


def test_an_author_keeps_one_record_and_each_study_its_printed_name(catalogue):
    levin = Author.objects.get(slug="levin")
    assert levin.name == "Estelle Levin-Nally"
    printed = {a.publication.slug: a.printed_name for a in levin.authorships.all()}
    assert printed == {
        "global-solutions-study": "Estelle Levin",
        "drc-itombwe-case-study": "Estelle Levin",
    }
    assert Author.objects.filter(name__contains="Villegas").count() == 1


def test_authors_keep_print_order_and_contributors_are_apart(catalogue):
    itombwe = catalogue["drc-itombwe-case-study"]
    assert itombwe.language == "fr"
    assert itombwe.month is None
    assert [a.printed_name for a in itombwe.printed_authors] == [
        "Ruby Weinberg", "Alain Chishugi", "Estelle Levin", "Gary Beynon",
    ]  # fmt: skip
    assert [a.printed_name for a in itombwe.contributors] == [
        "Juan Sève", "Léonard Mubalama", "René Ngongo", "Blaise Mudodosi",
    ]  # fmt: skip
    assert [c.country.code for c in itombwe.coverage.all()] == ["CD"]


def test_loading_again_changes_nothing_and_keeps_an_editors_work(catalogue, committed):
    Publication.objects.filter(slug="liberia-case-study").update(title="Edited by an editor")
    files = {p.slug: p.file.name for p in catalogue.values()}
    out = io.StringIO()

    with committed():
        call_command("load_content", stdout=out)

    assert "Studies: 0 created, 0 updated, 6 unchanged." in out.getvalue()
    assert Publication.objects.get(slug="liberia-case-study").title == "Edited by an editor"
    assert {p.slug: p.file.name for p in Publication.objects.all()} == files
    assert Author.objects.count() == 17


def test_overwrite_resets_the_catalogue_fields_but_keeps_the_file(catalogue, committed):
    Publication.objects.filter(slug="liberia-case-study").update(title="Edited by an editor")

    with committed():
        summary = load_catalogue(overwrite=True)

    liberia = Publication.objects.get(slug="liberia-case-study")
    assert "6 updated" in summary
    assert liberia.title == "Liberia Case Study Report"
    assert liberia.file.name == catalogue["liberia-case-study"].file.name
    assert liberia.authorships.count() == 1
