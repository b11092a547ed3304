import pytest
from django.core.management import call_command

from core.content import Tally
from portal.content import load_pages, page_sources
from portal.models import Page

pytestmark = pytest.mark.django_db

SLUGS = {"about", "objectives", "principles", "partners", "code-of-conduct", "privacy", "sites"}


def test_every_programme_page_exists_in_english_and_french():
    sources = {(source.slug, source.language) for source in page_sources()}

    assert sources == {(slug, language) for slug in SLUGS for language in ("en", "fr")}


def test_loading_twice_changes_nothing_and_keeps_editors_changes():
    first = load_pages()
    about = Page.objects.get(slug="about", language="en")
    about.title = "Edited by an editor"
    about.save()

    second = load_pages()

    assert first.created == 14
    assert second == Tally(created=0, updated=0, unchanged=14)
    assert Page.objects.count() == 14
    assert Page.objects.get(slug="about", language="en").title == "Edited by an editor"


def test_overwrite_resets_edited_pages_to_the_files():
    load_pages()
    Page.objects.filter(slug="about", language="en").update(title="Edited")

    counts = load_pages(overwrite=True)

    assert counts.updated == 1
    assert Page.objects.get(slug="about", language="en").title != "Edited"


def test_a_broken_content_file_is_reported_and_loads_nothing(tmp_path):
    (tmp_path / "pages" / "en").mkdir(parents=True)
    (tmp_path / "pages" / "en" / "good.md").write_text("---\ntitle: Good\norder: 1\n---\nText\n")
    (tmp_path / "pages" / "en" / "bad.md").write_text("title: no front matter\n")

    with pytest.raises(ValueError, match=r"bad\.md"):
        load_pages(content_dir=tmp_path)

    assert not Page.objects.exists()


def test_the_command_names_the_site_and_reports_counts(capsys):
    from django.contrib.sites.models import Site

    call_command("load_content")
    call_command("load_content")

    out = capsys.readouterr().out
    assert "Pages: 14 created" in out
    assert "Pages: 0 created, 0 updated, 14 unchanged." in out
    assert "Sites: 4 created" in out
    assert "Sites: 0 created, 0 updated, 4 unchanged." in out
    assert Site.objects.get(pk=1).name == "ASM-PACE"
