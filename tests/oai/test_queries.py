"""A page of a list costs the same queries whether the library holds 3 studies or 30, and
wherever the page is in the list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oai import responses
from publications.models import Authorship, Coverage
from tests.factories import AuthorFactory, PublicationFactory, TopicFactory

pytestmark = pytest.mark.django_db


def fill(count):
    topics = TopicFactory.create_batch(2)
    PublicationFactory().delete()  # a deleted study in every list
    for n in range(count):
        study = PublicationFactory()
        study.topics.add(*topics)
        Coverage.objects.create(publication=study, country=["LR", "CD", "MG"][n % 3])
        Authorship.objects.create(publication=study, author=AuthorFactory(), family_name="Levin")


# The page of studies, then for records their topics, people, countries and other-language
# versions (for headers their topics), the page of deleted studies, and the list's size for the
# resumption token (studies and deleted ones).
QUERIES = {"ListRecords": 8, "ListIdentifiers": 5}


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
@pytest.mark.parametrize("prefix", ["oai_dc", "datacite"])
def test_queries_per_page_do_not_grow_with_the_library(client, monkeypatch, verb, prefix):
    monkeypatch.setattr(responses, "PAGE_SIZE", 5)
    for more in (7, 30):
        fill(more)
        with CaptureQueriesContext(connection) as first:
            page = client.get("/oai/", {"verb": verb, "metadataPrefix": prefix})
        assert page.content.count(b"<header") == 5
        token = page.content.decode().split("<resumptionToken")[1].split(">")[1].split("<")[0]
        with CaptureQueriesContext(connection) as later:
            client.get("/oai/", {"verb": verb, "resumptionToken": token})
        assert (len(first), len(later)) == (QUERIES[verb], QUERIES[verb])


def test_get_record_reads_one_study_and_its_parts(client):
    fill(3)
    arguments = {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": identifier()}
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/oai/", arguments)
    assert b"<record>" in response.content
    assert len(queries) == 5


def identifier():
    from oai.repository import identifier as of
    from publications.models import Publication

    return of(Publication.objects.first())
