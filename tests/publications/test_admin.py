"""Editors manage the library in the admin: uploads checked by content, publishing, counts."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from publications.demo import make_pdf
from publications.models import DownloadCount, Extraction, Publication
from tests.factories import AuthorFactory, PublicationFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:publications_publication_add")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.fixture
def editor(client):
    user = UserFactory(groups=["Editors"], is_staff=True)
    client.force_login(user)
    return user


def form_data(file, **fields):
    author = AuthorFactory(name="Rob Small")
    return {
        "title": "Liberia Case Study Report",
        "slug": "liberia-case-study",
        "kind": "case_study",
        "language": "en",
        "year": "2012",
        "month": "6",
        "abstract": "Mining near Sapo National Park.",
        "publisher": "Estelle Levin Ltd and WWF",
        "rights": "© Estelle Levin Limited and WWF",
        "file": file,
        "is_published": "on",
        "authorships-TOTAL_FORMS": "1",
        "authorships-INITIAL_FORMS": "0",
        "authorships-0-order": "0",
        "authorships-0-author": str(author.pk),
        "authorships-0-given_names": "Rob",
        "authorships-0-family_name": "Small",
        "authorships-0-role": "author",
        "coverage-TOTAL_FORMS": "1",
        "coverage-INITIAL_FORMS": "0",
        "coverage-0-country": "LR",
        **fields,
    }


def pdf_upload(name="study.pdf", paragraphs=("Gold panning in the Sapo forest.",)):
    return SimpleUploadedFile(name, make_pdf(list(paragraphs)), "application/pdf")


def test_an_upload_is_saved_measured_extracted_and_found(client, editor, committed, settings):
    with committed():
        response = client.post(ADD, form_data(pdf_upload()))

    assert response.status_code == 302, response.context["errors"]
    publication = Publication.objects.get()
    assert publication.extraction == Extraction.DONE
    assert publication.page_count == 1
    assert publication.file_size == publication.file.size
    assert publication.published_at is not None
    assert [a.printed_name for a in publication.authorships.all()] == ["Rob Small"]
    assert publication.coverage.get().country == "LR"
    found = client.get(reverse("publications:list"), {"q": "panning Sapo"})
    assert [p.slug for p in found.context["publications"]] == ["liberia-case-study"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("study.pdf", PNG, "application/pdf"), "not a PDF"),
        (SimpleUploadedFile("study.pdf", b"", "application/pdf"), "file is empty."),
        (
            SimpleUploadedFile("study.pdf", b"%PDF-1.7 but then nothing", "application/pdf"),
            "cannot be read",
        ),
    ],
    ids=["renamed-png", "empty", "broken-pdf"],
)
def test_a_bad_upload_is_refused_clearly_and_nothing_is_saved(
    client, editor, tmp_path, upload, message
):
    response = client.post(ADD, form_data(upload))

    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["file"])
    assert not Publication.objects.exists()
    assert not (tmp_path / "media" / "publications").exists()


def test_an_oversized_upload_is_refused_with_the_limit(client, editor, settings, tmp_path):
    settings.PUBLICATION_MAX_UPLOAD_BYTES = 1000
    upload = pdf_upload(paragraphs=["many words " * 400])

    response = client.post(ADD, form_data(upload))

    errors = str(response.context["adminform"].form.errors["file"])
    assert "the limit is 1000" in errors
    assert not Publication.objects.exists()
    assert not (tmp_path / "media" / "publications").exists()


def test_replacing_the_pdf_removes_the_old_file_and_extracts_again(client, editor, committed):
    publication = PublicationFactory(slug="liberia-case-study", pdf=["Old text about iron."])
    old_path = publication.file.path
    change = reverse("admin:publications_publication_change", args=[publication.pk])
    data = form_data(pdf_upload(paragraphs=["New text about diamonds."]))
    data["authorships-0-author"] = str(AuthorFactory().pk)

    with committed():
        response = client.post(change, data)

    assert response.status_code == 302
    publication.refresh_from_db()
    assert "diamonds" in publication.text
    assert "iron" not in publication.text
    assert publication.file.path != old_path
    assert not Path(old_path).exists()


def test_unpublishing_hides_and_publishing_keeps_the_first_date(client, editor):
    first = timezone.now() - datetime.timedelta(days=40)
    publication = PublicationFactory(published_at=first)
    changelist = reverse("admin:publications_publication_changelist")

    client.post(changelist, {"action": "unpublish", "_selected_action": [publication.pk]})
    publication.refresh_from_db()
    assert not publication.is_published
    assert client.get(publication.get_absolute_url()).status_code == 200  # an editor previews

    client.post(changelist, {"action": "publish", "_selected_action": [publication.pk]})
    publication.refresh_from_db()
    assert publication.is_published
    assert publication.published_at == first


def test_editors_see_download_counts(client, editor):
    publication = PublicationFactory()
    DownloadCount.objects.create(publication=publication, day=timezone.localdate(), count=7)
    DownloadCount.objects.create(
        publication=publication, day=timezone.localdate() - datetime.timedelta(days=90), count=5
    )

    changelist = client.get(reverse("admin:publications_publication_changelist"))
    change = client.get(reverse("admin:publications_publication_change", args=[publication.pk]))

    assert '<td class="field-downloads">12</td>' in changelist.text
    assert "12 in all, 7 in the last 30 days" in change.text
    counts = client.get(reverse("admin:publications_downloadcount_changelist"))
    assert counts.status_code == 200
    assert client.get(reverse("admin:publications_downloadcount_add")).status_code == 403


def test_moderators_and_stakeholders_cannot_manage_the_library(client):
    PublicationFactory()
    for user in (UserFactory(groups=["Moderators"], is_staff=True), UserFactory()):
        client.force_login(user)
        response = client.get(reverse("admin:publications_publication_changelist"))
        assert response.status_code in (302, 403)
        assert client.post(ADD, form_data(pdf_upload())).status_code in (302, 403)
    assert Publication.objects.count() == 1
