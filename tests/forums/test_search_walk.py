"""How the dialogue's search finds a phrase with alternatives (a thesaurus's labels), which the
planner cannot judge: a probe of the newest posts decides between walking them newest first and
the GIN index, and stops counting once it has seen enough to decide."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forums import search
from tests.factories import PostFactory, ThreadFactory
from thesaurus.content import load_thesaurus

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]

# search.ranked walks on when the probe finds this many matches among the newest posts.
ENOUGH = search.RANKED_AT_MOST * search.WALKED // search.WALK_AT_MOST


def searched(query):
    with CaptureQueriesContext(connection) as queries:
        found = search.matching(AnonymousUser(), query, limit=5)
    statements = [q["sql"] for q in queries.captured_queries]
    probes = [sql for sql in statements if sql.startswith("SELECT count(*) FROM (")]
    index_only = any("enable_indexscan = off" in sql for sql in statements)
    return found, probes, index_only


@pytest.fixture
def posts_holding():
    load_thesaurus()  # "buffer zone" is also "zone tampon"
    thread = ThreadFactory()

    def posts(phrase_in: int, others: int):
        for _ in range(phrase_in):
            PostFactory(thread=thread, body="Miners camp in the buffer zone of the park.")
        for _ in range(others):
            PostFactory(thread=thread, body="A buffer of trees, and a zone for the miners.")

    return posts


def test_a_common_phrase_is_walked_and_its_probe_stops_once_it_saw_enough(posts_holding):
    posts_holding(ENOUGH + 10, 20)

    found, probes, index_only = searched('"buffer zone"')

    assert len(probes) == 1
    assert f"LIMIT {ENOUGH}" in probes[0]
    assert not index_only
    assert len(found) == ENOUGH + 10


def test_a_rare_phrase_is_taken_from_the_index_and_found_exactly(posts_holding):
    posts_holding(2, ENOUGH + 10)  # its words are common, the phrase is not

    found, probes, index_only = searched('"buffer zone"')

    assert len(probes) == 1
    assert index_only
    assert len(found) == 2
