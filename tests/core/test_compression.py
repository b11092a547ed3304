"""Pages are gzipped for the browsers that ask; downloads and static files are sent as they are."""

import gzip

import pytest
from django.http import StreamingHttpResponse

from publications.demo import make_pdf
from tests.factories import PublicationFactory, SiteFactory

pytestmark = pytest.mark.django_db

GZIP = {"accept_encoding": "gzip, deflate, br"}


def test_a_page_is_gzipped_when_the_browser_accepts_it(client):
    response = client.get("/en/publications/", headers=GZIP)

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert response["Content-Length"] == str(len(response.content))
    assert b"<html" in gzip.decompress(response.content)


def test_a_page_is_plain_for_a_client_that_does_not_ask(client):
    response = client.get("/en/publications/")

    assert not response.has_header("Content-Encoding")
    assert b"<html" in response.content


def test_geojson_is_gzipped_too(client):
    SiteFactory.create_batch(3)

    response = client.get("/en/sites.geojson", headers=GZIP)

    assert response["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("byte_range", [None, "bytes=0-99"])
def test_a_study_is_downloaded_as_it_is_in_whole_and_in_ranges(client, byte_range):
    pdf = make_pdf([f"Paragraph {n}: miners, a river and a market." for n in range(40)])
    study = PublicationFactory(pdf=pdf)
    headers = {**GZIP, "range": byte_range} if byte_range else GZIP

    response = client.get(study.get_download_url(), headers=headers)

    assert isinstance(response, StreamingHttpResponse)
    assert not response.has_header("Content-Encoding")
    body = b"".join(response.streaming_content)
    assert body == (pdf[:100] if byte_range else pdf)
