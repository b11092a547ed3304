"""Bad input is a 400 or 422 problem that says what is wrong, never a 500; paging is stable."""

import pytest

from api import cursors
from tests.factories import PostFactory, PublicationFactory, ThreadFactory

from .conftest import API, read_all

BAD = [
    ("studies?cursor=not-a-cursor", 400, "cursor"),
    ("studies?cursor=", 200, None),
    ("posts?since=2026-02-30", 422, "query.since"),
    ("posts?since=yesterday", 422, "query.since"),
    ("posts?since=2026-05-02&until=2026-05-01", 400, "`since` is after `until`"),
    ("threads?until=20260101", 422, "query.until"),
    ("studies?kind=novel", 422, "query.kind"),
    ("studies?language=de", 422, "query.language"),
    ("studies?country=ZZ", 400, "country code"),
    ("studies?country=France", 422, "query.country"),
    ("studies?topic=no-such-topic", 400, "No topic"),
    ("studies?site=nowhere", 400, "No case-study site"),
    ("studies?year=1066", 422, "query.year"),
    ("studies?year=twenty", 422, "query.year"),
    ("studies?limit=0", 422, "query.limit"),
    ("studies?limit=1000", 422, "query.limit"),
    ("sites?mineral=kryptonite", 400, "No mineral"),
    ("threads?site=nowhere", 400, "No case-study site"),
    ("posts?forum=no-such-forum", 400, "No forum"),
    ("posts?stakeholder_group=aliens", 422, "query.stakeholder_group"),
    ("posts?language=xx", 422, "query.language"),
    ("posts?thread=-1", 422, "query.thread"),
    ("posts?thread=99999999999999999999999", 422, "query.thread"),
    ("threads?kind=debate", 422, "query.kind"),
    ("threads/abc", 422, "path.thread_id"),
    ("threads/99999999999999999999999", 422, "path.thread_id"),
    ("threads/0/balance", 422, "path.thread_id"),
    ("threads/12345", 404, "Nothing visible"),
    ("posts/12345", 404, "Nothing visible"),
    ("studies/no-such-study", 404, "Nothing visible"),
    ("no/such/address", 404, "no such address"),
    (f"studies?q={'mining ' * 40}", 422, "query.q"),
]


@pytest.mark.parametrize(("path", "status", "says"), BAD)
def test_bad_input_is_a_problem_that_says_what_is_wrong(client, db, path, status, says):
    response = client.get(API + path)

    assert response.status_code == status
    if says:
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == status
        assert problem["type"] == "about:blank"
        assert problem["title"]
        assert says in problem["detail"]


def test_a_cursor_of_another_list_is_refused(client, db):
    PublicationFactory.create_batch(3)
    posts_cursor = cursors.encode(["posts", "2026-01-01T00:00:00+00:00", 1])
    studies_next = client.get(API + "studies", {"limit": 1}).json()["next"]

    wrong_list = client.get(API + "studies", {"cursor": posts_cursor})
    tampered = client.get(API + "studies", {"cursor": studies_next[:-2] + "xx"})

    assert wrong_list.status_code == 400
    assert "another list" in wrong_list.json()["detail"]
    assert tampered.status_code == 400


def test_paging_through_posts_gives_each_once_even_as_posts_are_added(client, db):
    thread = ThreadFactory()
    for _ in range(6):
        PostFactory(thread=thread)
    first = client.get(API + "posts", {"limit": 3}).json()
    added = PostFactory(thread=thread)  # newest: at the end of the order, never in between

    rest, _texts = read_all(client, "posts", limit=3, cursor=first["next"])

    ids = [post["id"] for post in first["items"] + rest]
    assert len(ids) == len(set(ids)) == 8
    assert ids == sorted(ids)
    assert ids[-1] == added.pk


def test_posts_with_the_same_time_are_paged_by_id(client, db):
    thread = ThreadFactory()
    same = thread.posts.get().created_at
    for _ in range(4):
        PostFactory(thread=thread, created_at=same)

    items, _texts = read_all(client, "posts", limit=2)

    assert [post["id"] for post in items] == sorted(post["id"] for post in items)
    assert len(items) == 5


def test_filters_narrow_posts_as_the_pages_do(client, world):
    public = world["threads"]["public"]

    def ids(**params):
        return {post["id"] for post in read_all(client, "posts", **params)[0]}

    everything = ids()
    assert ids(thread=public.pk) == {world["posts"]["opening"].pk, world["posts"]["approved"].pk}
    assert ids(stakeholder_group="government") == set()
    assert ids(stakeholder_group="miner") == everything
    assert ids(country="cd") == everything
    assert ids(country="FR") == set()
    assert ids(since="2000-01-01", until="2000-12-31") == set()
    assert ids(q="approved") == {world["posts"]["approved"].pk}
    assert ids(language="fr") == set()
    site_threads = {t["id"] for t in read_all(client, "threads", site="open-site")[0]}
    assert public.pk in site_threads
    assert read_all(client, "threads", forum="public-forum", kind="consultation")[0][0][
        "title"
    ] == ("Consultation")
    studies = {s["slug"] for s in read_all(client, "studies", kind="case_study", year=2012)[0]}
    assert studies == {"published-study"}
    assert read_all(client, "studies", year=2011)[0] == []
