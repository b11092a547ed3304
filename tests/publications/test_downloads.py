"""Downloading a study: whole file, ranges, conditional requests, nginx hand-off and counting."""

import hashlib

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signals import request_finished
from django.db import close_old_connections, models
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from publications import downloads
from publications.demo import make_pdf
from publications.models import DownloadCount, Publication
from publications.views import PublicationDownloadView
from tests.factories import PublicationFactory, UserFactory

pytestmark = pytest.mark.django_db

SENTENCE = "Artisanal miners and the protected area share a landscape, a river and a market. "
PDF = make_pdf([f"Paragraph {n}. {SENTENCE * 4}" for n in range(40)])  # about 19 KB
BIG_PDF = make_pdf([f"Paragraph {n}. {SENTENCE * 4}" for n in range(400)])  # several chunks
SIZE = len(PDF)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def study():
    return PublicationFactory(pdf=PDF)


def download(client, publication, method="get", **headers):
    headers.setdefault("user_agent", BROWSER)
    response = getattr(client, method)(publication.get_download_url(), headers=headers)
    if response.status_code in (200, 206) and isinstance(response, StreamingHttpResponse):
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def counted(publication):
    counts = DownloadCount.objects.filter(publication=publication, day=timezone.localdate())
    return sum(count.count for count in counts)


def etag(publication):
    return f'"{publication.file_sha256}"'


def test_the_whole_file_is_sent_as_an_attachment_with_its_validators(client, study):
    response = download(client, study)

    assert response.status_code == 200
    assert response.body == PDF
    assert hashlib.sha256(response.body).hexdigest() == study.file_sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="asm-pace-' + (
        f'{study.slug}-2012.pdf"'
    )
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == etag(study)
    assert response["Last-Modified"] == http_date(study.updated_at.timestamp())
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.has_header("Content-Range")


def test_the_file_streams_in_chunks_and_is_closed_when_the_response_is(client, rf, monkeypatch):
    study = PublicationFactory(pdf=BIG_PDF)
    chunks = list(client.get(study.get_download_url()).streaming_content)
    assert b"".join(chunks) == BIG_PDF
    assert len(chunks) > 1
    assert {len(chunk) for chunk in chunks[:-1]} == {downloads.CHUNK_SIZE}

    storage = Publication._meta.get_field("file").storage
    storage_open, opened = storage.open, []

    def open_and_remember(name, mode="rb"):
        opened.append(storage_open(name, mode))
        return opened[-1]

    monkeypatch.setattr(storage, "open", open_and_remember)
    request = rf.get(study.get_download_url())
    request.user = AnonymousUser()
    response = PublicationDownloadView.as_view()(request, slug=study.slug)
    next(iter(response))
    assert not opened[0].closed

    # The client went away after the first chunk: the WSGI server closes the response. (Without
    # closing the test's database connection, as request_finished does after a real request.)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert opened[0].closed


# (Range, first byte, last byte): a negative first byte counts from the end, None is the last.
RANGES = [
    ("bytes=0-99", 0, 99),
    ("bytes=1000-1999", 1000, 1999),
    ("bytes=-500", -500, None),
    ("bytes=1000-", 1000, None),
    ("bytes=100-99999999", 100, None),
    ("bytes=-99999999", 0, None),
    ("BYTES=5-5", 5, 5),
]


@pytest.mark.parametrize(("header", "first", "last"), RANGES, ids=[r[0] for r in RANGES])
def test_a_single_range_gets_206_with_its_bytes(client, study, header, first, last):
    first = first % SIZE
    last = SIZE - 1 if last is None else last

    response = download(client, study, range=header)

    assert response.status_code == 206
    assert response.body == PDF[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"] == etag(study)
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",
        "bytes=100-50",
        "items=0-99",
        "bytes=",
        "bytes=-",
        "bytes 0-99",
        "bytes=0-99,200-299",
        "bytes=-10,0-5",
        f"bytes=0-{'9' * 40}",
    ],
)
def test_an_invalid_or_multiple_range_is_ignored(client, study, header):
    response = download(client, study, range=header)

    assert response.status_code == 200
    assert response.body == PDF
    assert not response.has_header("Content-Range")


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"])
def test_an_unsatisfiable_range_gets_416(client, study, header):
    response = download(client, study, range=header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response.body == b""


def test_if_range_with_the_current_etag_honours_the_range(client, study):
    response = download(client, study, range="bytes=100-199", if_range=etag(study))

    assert response.status_code == 206
    assert response.body == PDF[100:200]


@pytest.mark.parametrize("validator", ['"0123stale"', "W/{etag}", "Mon, 01 Jan 2001 00:00:00 GMT"])
def test_if_range_with_a_stale_or_weak_validator_sends_the_whole_file(client, study, validator):
    validator = validator.format(etag=etag(study))

    response = download(client, study, range="bytes=100-199", if_range=validator)

    assert response.status_code == 200
    assert response.body == PDF


def test_if_range_with_the_last_modified_date_honours_the_range(client, study):
    last_modified = download(client, study, method="head")["Last-Modified"]

    response = download(client, study, range="bytes=-10", if_range=last_modified)

    assert response.status_code == 206
    assert response.body == PDF[-10:]


def test_a_known_version_is_not_sent_again(client, study):
    by_etag = download(client, study, if_none_match=etag(study))
    by_date = download(client, study, if_modified_since=http_date(study.updated_at.timestamp()))
    changed = download(client, study, if_none_match='"an-older-version"')

    for response in (by_etag, by_date):
        assert response.status_code == 304
        assert response.body == b""
        assert response["ETag"] == etag(study)
        assert response["Cache-Control"] == "public, max-age=3600"
    assert changed.status_code == 200
    assert changed.body == PDF


def test_head_answers_the_headers_of_get_without_the_file(client, study):
    for range_header in ({}, {"range": "bytes=0-99"}):
        get = download(client, study, **range_header)
        head = download(client, study, method="head", **range_header)

        assert head.status_code == get.status_code
        assert head.body == b""
        assert dict(head.headers) == dict(get.headers)


def test_unpublished_studies_are_downloaded_by_editors_only(client):
    draft = PublicationFactory(is_published=False, published_at=None, pdf=PDF)

    assert download(client, draft).status_code == 404
    client.force_login(UserFactory())
    assert download(client, draft).status_code == 404

    client.force_login(UserFactory(groups=["Editors"], is_staff=True))
    preview = download(client, draft)
    assert preview.status_code == 200
    assert preview.body == PDF
    assert preview["Cache-Control"] == "private, no-store"


def test_a_study_without_a_file_or_an_unknown_one_is_not_found(client):
    assert download(client, PublicationFactory()).status_code == 404
    unknown = client.get(reverse("publications:download", args=["no-such-study"]))
    assert unknown.status_code == 404


def test_a_file_not_yet_fingerprinted_is_sent_without_an_etag(client, study):
    Publication.objects.filter(pk=study.pk).update(file_sha256="")

    response = download(client, study, range="bytes=0-9", if_range='""')

    assert response.status_code == 200  # If-Range cannot match a missing ETag
    assert response.body == PDF
    assert not response.has_header("ETag")


def test_a_file_missing_from_storage_is_not_found(client, study):
    study.file.storage.delete(study.file.name)

    assert download(client, study).status_code == 404


@pytest.fixture
def behind_nginx(settings):
    settings.PUBLICATION_ACCEL_REDIRECT = "/protected-media/"


def test_behind_nginx_django_checks_and_counts_and_nginx_sends(client, study, behind_nginx):
    response = download(client, study)

    assert response.status_code == 200
    assert response.body == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/publications/{study.slug}.pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{study.download_filename}"'
    assert response["ETag"] == etag(study)
    assert response["Last-Modified"] == http_date(study.updated_at.timestamp())
    assert response["Cache-Control"] == "public, max-age=3600"
    assert counted(study) == 1


def test_behind_nginx_the_checks_still_apply(client, study, behind_nginx):
    draft = PublicationFactory(is_published=False, published_at=None, pdf=PDF)
    assert download(client, draft).status_code == 404

    not_modified = download(client, study, if_none_match=etag(study))
    assert not_modified.status_code == 304
    assert not not_modified.has_header("X-Accel-Redirect")

    resumed = download(client, study, range="bytes=5000-")
    assert resumed.has_header("X-Accel-Redirect")
    assert counted(study) == 0


def test_behind_nginx_the_file_name_is_quoted(client, study, behind_nginx):
    name = default_storage.save("publications/étude finale.pdf", ContentFile(PDF))
    Publication.objects.filter(pk=study.pk).update(file=name)

    response = download(client, study)

    assert response["X-Accel-Redirect"] == "/protected-media/publications/%C3%A9tude%20finale.pdf"


# Counting


def test_a_first_download_counts_once_for_today(client, study):
    download(client, study)

    (today,) = DownloadCount.objects.filter(publication=study)
    assert (today.day, today.count) == (timezone.localdate(), 1)


def test_a_repeat_within_the_window_counts_once(client, study):
    for _ in range(3):
        assert download(client, study).status_code == 200

    assert counted(study) == 1


def test_another_browser_or_address_counts_again(client, study):
    download(client, study)
    download(client, study, user_agent="Mozilla/5.0 (Android 14; Mobile) Firefox/128.0")
    client.get(study.get_download_url(), headers={"user-agent": BROWSER}, REMOTE_ADDR="10.1.2.3")
    download(client, PublicationFactory(pdf=PDF))  # the same visitor, another study

    assert counted(study) == 3


def test_behind_a_proxy_visitors_are_told_apart_by_forwarded_address(client, study, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for visitor in ("198.51.100.7", "203.0.113.9", "198.51.100.7"):
        client.get(
            study.get_download_url(),
            headers={"user-agent": BROWSER, "x-forwarded-for": visitor},
            REMOTE_ADDR="10.0.0.2",  # the proxy, the same for everyone
        )

    assert counted(study) == 2


def test_a_repeat_counts_again_once_the_cache_has_forgotten_the_visitor(client, study):
    download(client, study)
    cache.clear()  # what the end of the repeat window does to that one entry
    download(client, study)

    assert counted(study) == 2


def test_the_repeat_window_is_the_setting(client, study, settings, cache_spy):
    settings.PUBLICATION_REPEAT_WINDOW = 0  # no window: every download counts

    download(client, study)
    download(client, study)

    assert counted(study) == 2
    assert {timeout for _, _, timeout in cache_spy} == {0}


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)",
        "Quora Link Preview/1.0",
        "ia_archiver (+http://www.alexa.com/site/help/webmasters)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/124.0 Safari/537.36",
        "python-requests/2.32.3",
        "Go-http-client/1.1",
        "FeedFetcher-Google; (+http://www.google.com/feedfetcher.html)",
        "Mediapartners-Google",
        "Mozilla/5.0 (Linux x86_64) Chrome/124.0 Safari/537.36 Chrome-Lighthouse",
        "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
        "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "Mozilla/5.0 (compatible; AhrefsSpider/1.0)",
        "Screaming Frog SEO Crawler/20.0",
        "",
        "   ",
    ],
)
def test_bots_and_anonymous_agents_do_not_count(client, study, user_agent):
    response = download(client, study, user_agent=user_agent)

    assert response.status_code == 200
    assert counted(study) == 0


@pytest.mark.parametrize("user_agent", ["curl/8.5.0", "Wget/1.21.4"])
def test_people_with_scripts_count(client, study, user_agent):
    download(client, study, user_agent=user_agent)

    assert counted(study) == 1


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        ("head", {}, 200),
        ("get", {"if_none_match": "{etag}"}, 304),
        ("get", {"range": f"bytes={SIZE}-"}, 416),
        ("get", {"range": "bytes=1000-"}, 206),
        ("get", {"range": "bytes=-100"}, 206),
    ],
    ids=["head", "not-modified", "unsatisfiable", "resumed", "tail"],
)
def test_what_does_not_begin_a_download_does_not_count(client, study, method, headers, status):
    headers = {name: value.format(etag=etag(study)) for name, value in headers.items()}

    assert download(client, study, method, **headers).status_code == status
    assert counted(study) == 0


def test_a_range_from_the_first_byte_counts(client, study):
    assert download(client, study, range="bytes=0-99").status_code == 206
    download(client, study, range="bytes=100-")  # the rest of the same download

    assert counted(study) == 1


def test_a_visitor_without_an_address_is_served_but_not_counted(client, study):
    response = client.get(study.get_download_url(), headers={"user-agent": BROWSER}, REMOTE_ADDR="")

    assert response.status_code == 200
    assert counted(study) == 0


@pytest.fixture
def cache_spy(monkeypatch):
    """Every (key, value, timeout) the download view adds to the cache."""
    calls = []
    add = cache.add

    def spy(key, value, timeout=None, **kwargs):
        calls.append((key, value, timeout))
        return add(key, value, timeout, **kwargs)

    monkeypatch.setattr(downloads.cache, "add", spy)
    return calls


def test_nothing_about_the_visitor_is_stored(client, study, cache_spy):
    address, user_agent = "198.51.100.23", "Mozilla/5.0 (PrivacyProbe 7.1) Firefox/128.0"
    for _ in range(2):
        client.get(
            study.get_download_url(), headers={"user-agent": user_agent}, REMOTE_ADDR=address
        )
    assert counted(study) == 1

    columns = DownloadCount.objects.values_list(
        *[field.attname for field in DownloadCount._meta.concrete_fields]
    )
    for row in columns:
        assert not any(address in str(value) or "PrivacyProbe" in str(value) for value in row)
    # Nor in any text column of any table.
    text = (models.CharField, models.TextField, models.GenericIPAddressField)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, text):
                for secret in (address, "PrivacyProbe"):
                    assert not model._default_manager.filter(
                        **{f"{field.attname}__contains": secret}
                    ).exists(), (model, field.name)

    assert len(cache_spy) == 2
    for key, value, _timeout in cache_spy:
        assert address not in key
        assert "PrivacyProbe" not in key
        assert value is True


def test_a_download_costs_a_few_queries_whatever_the_file(client, django_assert_max_num_queries):
    small, big = PublicationFactory(pdf=PDF), PublicationFactory(pdf=BIG_PDF)
    for study in (small, big, small):
        with django_assert_max_num_queries(5):
            download(client, study)
