"""Studies in an S3-compatible bucket, against moto's S3 server on a local port: uploads stream
to the bucket, downloads are checked and counted by the portal then redirected to a short-lived
signed address (Range included), text is extracted from the bucket, files move to it and back."""

import hashlib
import io
import uuid
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.urls import reverse
from django.utils import timezone

from core.storage import BucketStorage, ObjectReader, bucket_options
from publications.demo import make_pdf
from publications.models import DownloadCount, Extraction, Publication
from tests.engines import s3_server
from tests.factories import PublicationFactory, UserFactory
from tests.publications.test_admin import ADD, form_data, pdf_upload

pytestmark = pytest.mark.django_db

SENTENCE = "Artisanal miners and the protected area share a landscape, a river and a market. "
PDF = make_pdf([f"Paragraph {n}. {SENTENCE * 4}" for n in range(200)])  # about 90 KB
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_server() as (_process, url):
        yield url


@pytest.fixture
def s3(s3_endpoint):
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)


def use_bucket(settings, endpoint, name, *, default=True):
    options = bucket_options(f"s3://testing:testing@{name}/media?endpoint_url={endpoint}")
    settings.MEDIA_BUCKET = options
    if default:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "core.storage.BucketStorage", "OPTIONS": options},
        }
    return options


@pytest.fixture
def bucket(settings, s3_endpoint, s3, monkeypatch):
    """A new bucket, the portal's default storage; django-storages' S3 file object is off limits."""
    name = f"media-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    use_bucket(settings, s3_endpoint, name)

    def no_temporary_copy(self, name, mode="rb"):
        raise AssertionError("S3File copies the whole object into a temporary file")

    monkeypatch.setattr(BucketStorage, "_open", no_temporary_copy)
    return name


def objects(s3, bucket):
    listing = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {entry["Key"]: entry["Size"] for entry in listing}


def counted(publication):
    counts = DownloadCount.objects.filter(publication=publication, day=timezone.localdate())
    return sum(count.count for count in counts)


def download(client, publication, method="get", **headers):
    headers.setdefault("user_agent", BROWSER)
    return getattr(client, method)(publication.get_download_url(), headers=headers)


def test_bucket_options_come_from_one_url():
    options = bucket_options(
        "s3://KEY:se%2Fcret@asm-media/portal?endpoint_url=http://s3:9000&region=eu-west-1"
        "&public_endpoint_url=https://files.example.org"
    )

    assert options["bucket_name"] == "asm-media"
    assert options["location"] == "portal"
    assert options["endpoint_url"] == "http://s3:9000"
    assert options["public_endpoint_url"] == "https://files.example.org"
    assert options["region_name"] == "eu-west-1"
    assert (options["access_key"], options["secret_key"]) == ("KEY", "se/cret")
    assert options["addressing_style"] == "path"
    assert options["file_overwrite"] is True


@pytest.mark.parametrize(
    "url", ["http://bucket", "s3://", "s3://bucket?endpoint=http://x", "s3://b?region=a&colour=b"]
)
def test_a_wrong_storage_url_is_refused_with_its_form(url):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE_URL"):
        bucket_options(url)


def test_signed_addresses_may_name_the_public_endpoint(settings):
    options = bucket_options(
        "s3://k:s@media?endpoint_url=http://s3:9000&public_endpoint_url=https://files.example.org"
    )
    url = BucketStorage(**options).url("publications/a.pdf", expire=60)

    assert url.startswith("https://files.example.org/media/publications/a.pdf?")
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["60"]


def test_an_upload_goes_to_the_bucket_is_measured_and_extracted_there(
    client, bucket, s3, committed, settings, tmp_path
):
    client.force_login(UserFactory(groups=["Editors"], is_staff=True))
    with committed():
        response = client.post(ADD, form_data(pdf_upload()))

    assert response.status_code == 302
    publication = Publication.objects.get()
    key = "media/publications/liberia-case-study.pdf"
    assert objects(s3, bucket) == {key: publication.file_size}
    stored = s3.get_object(Bucket=bucket, Key="media/" + publication.file.name)["Body"].read()
    assert publication.file_sha256 == hashlib.sha256(stored).hexdigest()
    assert publication.extraction == Extraction.DONE
    assert "Gold panning in the Sapo forest." in publication.text
    assert not (tmp_path / "media").exists()  # nothing on the portal's disk


@pytest.fixture
def study(bucket):
    return PublicationFactory(pdf=PDF)


def test_a_download_is_checked_counted_then_redirected_to_a_short_lived_signed_address(
    client, study, s3_endpoint
):
    response = download(client, study)

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{s3_endpoint}/{study.file.storage.bucket_name}/media/")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert counted(study) == 1

    fetched = requests.get(location, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == PDF
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    assert study.download_filename in fetched.headers["Content-Disposition"]

    assert download(client, study).status_code == 302
    assert counted(study) == 1  # the same visitor again: a repeat


@pytest.mark.parametrize(
    ("header", "first", "last", "counts"),
    [
        ("bytes=0-99", 0, 99, 1),  # a download that begins
        ("bytes=1000-1999", 1000, 1999, 0),  # one that resumes
        ("bytes=-500", len(PDF) - 500, len(PDF) - 1, 0),
    ],
)
def test_range_goes_to_the_bucket_and_only_a_first_byte_counts(
    client, study, header, first, last, counts
):
    response = download(client, study, range=header)

    assert response.status_code == 302
    assert counted(study) == counts
    fetched = requests.get(response["Location"], headers={"Range": header}, timeout=10)
    assert fetched.status_code == 206
    assert fetched.content == PDF[first : last + 1]
    assert fetched.headers["Content-Range"] == f"bytes {first}-{last}/{len(PDF)}"


def test_an_unsatisfiable_range_and_a_known_version_are_answered_by_the_portal(client, study):
    assert download(client, study, range=f"bytes={len(PDF)}-").status_code == 416
    response = download(client, study, if_none_match=f'"{study.file_sha256}"')
    assert response.status_code == 304
    assert counted(study) == 0


def test_head_is_redirected_to_an_address_signed_for_head(client, study):
    response = download(client, study, method="head")

    assert response.status_code == 302
    fetched = requests.head(response["Location"], timeout=10)
    assert fetched.status_code == 200
    assert int(fetched.headers["Content-Length"]) == len(PDF)
    assert counted(study) == 0


def test_an_unpublished_study_never_gets_a_signed_address(client, bucket):
    draft = PublicationFactory(pdf=PDF, is_published=False, published_at=None)

    assert download(client, draft).status_code == 404
    client.force_login(UserFactory(groups=["Editors"], is_staff=True))
    response = download(client, draft, range="bytes=100-70099")

    # The editor's copy streams through the portal from the bucket, by ranged reads.
    assert response.status_code == 206
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF[100:70100]


def test_the_object_reader_seeks_and_reads_across_its_windows(study, s3, bucket):
    key = "media/" + study.file.name
    with io.BufferedReader(ObjectReader(s3, bucket, key), buffer_size=4096) as stream:
        assert stream.read() == PDF
        stream.seek(-10, io.SEEK_END)
        assert stream.read() == PDF[-10:]
        stream.seek(5000)
        assert stream.read(300_000) == PDF[5000:]
    with pytest.raises(FileNotFoundError):
        ObjectReader(s3, bucket, "media/none.pdf").seek(0, io.SEEK_END)


def test_a_bucket_that_refuses_writes_gets_a_clear_message_and_nothing_is_saved(
    client, settings, s3_endpoint, s3, bucket
):
    study = PublicationFactory(pdf=PDF)
    before = (study.file.name, study.file_sha256)
    editor = UserFactory(groups=["Editors"], is_staff=True)
    client.force_login(editor)
    # Writes now go to a bucket that refuses them (it does not exist).
    use_bucket(settings, s3_endpoint, "refusing-bucket")

    response = client.post(ADD, form_data(pdf_upload()), follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert "The file could not be stored" in text
    assert "Nothing was saved" in text
    assert list(Publication.objects.all()) == [study]

    change = reverse("admin:publications_publication_change", args=[study.pk])
    data = form_data(pdf_upload(paragraphs=["Another text."]), title="Changed", slug=study.slug)
    response = client.post(change, data, follow=True)
    assert "The file could not be stored" in response.content.decode()
    study.refresh_from_db()
    assert (study.file.name, study.file_sha256) == before
    assert study.title != "Changed"
    assert s3.get_object(Bucket=bucket, Key=f"media/{study.file.name}")["Body"].read() == PDF


def move(*args):
    out = io.StringIO()
    call_command("move_studies", *args, stdout=OutputWrapper(out))
    return out.getvalue()


def test_studies_move_to_the_bucket_and_back_idempotently_with_checksums(
    client, settings, s3_endpoint, s3, tmp_path
):
    name = f"media-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    studies = [PublicationFactory(pdf=make_pdf([f"Study {n}"])) for n in range(3)]
    PublicationFactory()  # no file: nothing to move
    use_bucket(settings, s3_endpoint, name, default=False)
    disk = tmp_path / "media"

    output = move("--to", "bucket")

    assert "3 moved" in output
    assert sorted(objects(s3, name)) == sorted(f"media/{s.file.name}" for s in studies)
    assert not any((disk / s.file.name).exists() for s in studies)
    assert "0 moved, 3 already there" in move("--to", "bucket")

    use_bucket(settings, s3_endpoint, name)  # the portal now reads the bucket
    assert default_storage.bucket_name == name
    response = download(client, studies[0])
    assert response.status_code == 302
    assert requests.get(response["Location"], timeout=10).content == (
        s3.get_object(Bucket=name, Key=f"media/{studies[0].file.name}")["Body"].read()
    )

    assert "3 moved" in move("--to", "disk")
    assert objects(s3, name) == {}
    for study in studies:
        content = (disk / study.file.name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == study.file_sha256
    assert "0 moved, 3 already there" in move("--to", "disk")


def test_a_file_that_does_not_match_its_checksum_is_not_moved(settings, s3_endpoint, s3, tmp_path):
    name = f"media-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    good = PublicationFactory(pdf=make_pdf(["Good"]))
    bad = PublicationFactory(pdf=make_pdf(["Bad"]))
    (tmp_path / "media" / bad.file.name).write_bytes(b"%PDF-1.4 damaged on the disk")
    use_bucket(settings, s3_endpoint, name, default=False)

    with pytest.raises(CommandError, match="1 not moved"):
        move("--to", "bucket")

    assert sorted(objects(s3, name)) == [f"media/{good.file.name}"]
    assert (tmp_path / "media" / bad.file.name).exists()  # the source is kept


def test_moving_needs_a_bucket(settings):
    settings.MEDIA_BUCKET = None
    with pytest.raises(CommandError, match="MEDIA_STORAGE_URL"):
        move("--to", "bucket")


def test_create_bucket_makes_the_bucket_once(settings, s3_endpoint, s3):
    name = f"media-{uuid.uuid4().hex[:12]}"
    use_bucket(settings, s3_endpoint, name, default=False)
    out = io.StringIO()

    call_command("create_bucket", stdout=OutputWrapper(out))
    call_command("create_bucket", stdout=OutputWrapper(out))

    assert out.getvalue().splitlines() == [f"Bucket {name} created.", f"Bucket {name} is there."]
    s3.head_bucket(Bucket=name)


def test_the_open_data_dump_is_built_into_the_bucket_and_read_from_it(client, bucket, s3):
    from opendata import dumps

    PublicationFactory(title="A study in the dump")
    assert client.get(reverse("opendata:download")).status_code == 404  # not built yet

    dumps.dump_build()
    dumps.dump_build()  # built again: the object is replaced, not renamed

    assert list(objects(s3, bucket)) == [f"media/{dumps.NAME}"]
    assert "studies" in {r["name"] for r in dumps.stored_dump().descriptor["resources"]}
    response = client.get(reverse("opendata:download"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == s3.get_object(Bucket=bucket, Key=f"media/{dumps.NAME}")["Body"].read()
    assert int(response["Content-Length"]) == len(body)


def test_another_visitor_gets_a_fresh_address_and_is_counted(client, study):
    first = download(client, study)["Location"]
    second = download(client, study, user_agent=BROWSER + " other")["Location"]

    assert counted(study) == 2
    assert requests.get(second, timeout=10).content == PDF
    assert first.split("?")[0] == second.split("?")[0]


def test_a_large_file_is_uploaded_in_parts_and_read_back_whole(bucket, s3):
    content = PDF + bytes(range(256)) * (9 * 4096)  # past boto3's 8 MB threshold for parts
    name = default_storage.save("publications/large.pdf", io.BytesIO(content))

    head = s3.head_object(Bucket=bucket, Key=f"media/{name}")
    assert head["ContentLength"] == len(content)
    assert head["ETag"].strip('"').endswith("-2")  # a multipart upload, in two parts
    with io.BufferedReader(ObjectReader(s3, bucket, f"media/{name}")) as stream:
        assert hashlib.sha256(stream.read()).digest() == hashlib.sha256(content).digest()


def test_a_move_to_a_bucket_that_refuses_keeps_every_file(settings, s3_endpoint, tmp_path):
    studies = [PublicationFactory(pdf=make_pdf([f"Study {n}"])) for n in range(2)]
    use_bucket(settings, s3_endpoint, "refusing-bucket", default=False)

    with pytest.raises(CommandError, match="0 moved, 0 already there, 2 not moved"):
        move("--to", "bucket")

    for study in studies:
        content = (tmp_path / "media" / study.file.name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == study.file_sha256
