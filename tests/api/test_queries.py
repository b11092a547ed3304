"""Each list costs the same few queries however many rows it holds (at most 5)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.services import token_create
from forums.models import Visibility
from publications.models import Coverage, DownloadCount
from tests.factories import (
    ForumFactory,
    MineralFactory,
    PostFactory,
    PublicationFactory,
    SiteFactory,
    ThreadFactory,
    TopicFactory,
    UserFactory,
)

from .conftest import API, bearer

LISTS = [
    "studies",
    "authors",
    "topics",
    "sites",
    "sites.geojson",
    "minerals",
    "forums",
    "threads",
    "posts",
    "outcomes",
    "participation",
]


def grow(n):
    """n more of everything each list shows, each with its own related rows."""
    for _ in range(n):
        topic, mineral = TopicFactory(), MineralFactory()
        study = PublicationFactory(authors=["Ann Author", "Bo Writer"])
        study.topics.add(topic)
        Coverage.objects.create(publication=study, country="CD")
        DownloadCount.objects.create(publication=study, day="2026-01-05", count=2)
        SiteFactory(minerals=[mineral], publications=[study], fr="Un site")
        forum = ForumFactory(site=SiteFactory(), visibility=Visibility.MEMBERS)
        thread = ThreadFactory(forum=forum, kind="consultation", outcome="Agreed.")
        thread.closed_at = thread.created_at
        thread.save()
        for _ in range(2):
            PostFactory(thread=thread, author=UserFactory(country="SL"))


@pytest.fixture
def member(db):
    return token_create(user=UserFactory(), name="q")[1]


@pytest.mark.parametrize("path", LISTS)
def test_a_lists_queries_do_not_grow_with_its_rows(
    client, member, path, django_assert_max_num_queries
):
    client.get(API + path, **bearer(member))  # notes the token's first use: once an hour
    counts = []
    for n in (1, 4):
        grow(n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(API + path, **bearer(member))
        assert response.status_code == 200
        counts.append(len(queries))

    # With a token, its holder and what they may see (forums.permissions) add a few queries,
    # the same for any number of rows; a visitor's list takes at most five.
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(5):
        assert client.get(API + path).status_code == 200


FILTERED = [
    "studies?topic=mercury&country=CD&site=itombwe",
    "sites?mineral=gold",
    "threads?forum=open&site=itombwe",
    "posts?forum=open&language=en",
]


@pytest.mark.parametrize("path", FILTERED)
def test_a_filtered_list_takes_at_most_five_queries_and_no_more_as_it_grows(
    client, db, path, django_assert_max_num_queries
):
    topic, gold = TopicFactory(slug="mercury"), MineralFactory(slug="gold")
    site = SiteFactory(slug="itombwe", minerals=[gold])
    forum = ForumFactory(slug="open", site=site)
    for n in (1, 4):
        for _ in range(n):
            study = PublicationFactory(authors=["Ann Author"])
            study.topics.add(topic)
            Coverage.objects.create(publication=study, country="CD")
            site.publications.add(study)
            SiteFactory(minerals=[gold])
            PostFactory(thread=ThreadFactory(forum=forum))
        with django_assert_max_num_queries(5):
            answer = client.get(API + path)
        assert answer.status_code == 200
        assert len(answer.json()["items"]) >= n  # what the filters name is found
