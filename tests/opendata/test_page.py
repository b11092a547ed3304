"""The /open-data/ page and its downloads."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from opendata import dumps
from tests.factories import PostFactory, PublicationFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def url(name, language="en"):
    with translation.override(language):
        return reverse(f"opendata:{name}")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_page_lists_the_download_the_dictionary_and_the_licence(client, portal, language):
    dumps.dump_build()

    response = client.get(url("index", language))

    assert response.status_code == 200
    assert response.templates[0].name == "opendata/index.html"
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert url("download", language) in page
    assert url("descriptor", language) in page
    dump = dumps.stored_dump()
    assert f'datetime="{dump.descriptor["created"]}"' in page  # when it was built, as <time>
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    for resource in dump.descriptor["resources"]:
        assert f"<code>{resource['path']}</code>" in page
        for field in resource["schema"]["fields"]:
            assert f"<code>{field['name']}</code>" in page


def test_the_page_costs_the_same_queries_however_much_data(client, portal):
    dumps.dump_build()
    client.get(url("index"))  # the site's settings, kept after the first request
    with CaptureQueriesContext(connection) as few:
        client.get(url("index"))
    thread = portal["thread"]
    for _ in range(20):
        PostFactory(thread=thread)
        PublicationFactory()
    ThreadFactory.create_batch(5, forum=portal["forum"])
    dumps.dump_build()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("index"))

    assert response.context["dump"].descriptor["resources"][0]["rows"] == 21
    assert len(many) == len(few) <= 3


def test_the_zip_is_downloaded_as_an_attachment(client, portal):
    dumps.dump_build()

    response = client.get(url("download"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="asm-pace-open-data.zip"'
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body) == dumps.stored_dump().size
    assert "posts.csv" in zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_the_data_dictionary_is_downloaded_alone(client, portal):
    dumps.dump_build()

    response = client.get(url("descriptor", "fr"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="datapackage.json"'
    assert json.loads(response.content) == dumps.stored_dump().descriptor


def test_before_it_is_built_the_page_says_so_and_downloads_are_the_portals_404(client, db):
    page = client.get(url("index"))
    assert page.status_code == 200
    assert "being prepared" in page.content.decode()

    for name in ("download", "descriptor"):
        response = client.get(url(name))
        assert response.status_code == 404
        assert "errors/404.html" in [template.name for template in response.templates]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_links_to_it_from_its_footer(client, db, language):
    with translation.override(language):
        page = client.get(reverse("forums:index")).content.decode()

    footer = page[page.index('class="site-footer') :]
    assert f'href="{url("index", language)}"' in footer
