"""What every answer shares: conditional requests, CORS, the rate limit, problem details."""

import datetime

import pytest
from django.core.cache import cache
from django.utils.http import http_date

from tests.engines import redis_server
from tests.factories import PostFactory, PublicationFactory, ThreadFactory

from .conftest import API


def test_an_unchanged_list_answers_304_to_its_etag_and_a_changed_one_does_not(client, db):
    PublicationFactory()
    first = client.get(API + "studies")

    again = client.get(API + "studies", HTTP_IF_NONE_MATCH=first["ETag"])
    PublicationFactory()
    changed = client.get(API + "studies", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert changed.status_code == 200
    assert len(changed.json()["items"]) == 2


def test_a_gzipped_answers_weak_etag_answers_304_too(client, db):
    PublicationFactory.create_batch(3)
    first = client.get(API + "studies", HTTP_ACCEPT_ENCODING="gzip")

    again = client.get(
        API + "studies", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert first["Content-Encoding"] == "gzip"
    assert first["ETag"].startswith('W/"')
    assert again.status_code == 304


def test_last_modified_is_the_newest_rows_time_and_if_modified_since_answers_304(client, db):
    thread = ThreadFactory()
    PostFactory(thread=thread)
    first = client.get(API + "posts")
    newest = max(
        datetime.datetime.fromisoformat(post["created_at"]) for post in first.json()["items"]
    )

    unchanged = client.get(API + "posts", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    older = http_date((newest - datetime.timedelta(hours=1)).timestamp())
    since_older = client.get(API + "posts", HTTP_IF_MODIFIED_SINCE=older)

    assert first["Last-Modified"] == http_date(int(newest.timestamp()))
    assert unchanged.status_code == 304
    assert since_older.status_code == 200


def test_every_answer_is_open_to_other_origins_without_credentials(client, db):
    answer = client.get(API + "studies", HTTP_ORIGIN="https://elsewhere.example")
    problem = client.get(API + "studies?year=1", HTTP_ORIGIN="https://elsewhere.example")
    preflight = client.options(
        API + "posts",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )

    for response in (answer, problem, preflight):
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response
    assert preflight.status_code == 204
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "ETag" in answer["Access-Control-Expose-Headers"]
    assert "Authorization" in answer["Vary"]


def test_head_answers_the_gets_headers_without_a_body(client, db):
    PublicationFactory()
    get = client.get(API + "studies")

    head = client.head(API + "studies")

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Type"] == "application/json"


def test_the_api_only_reads(client, db):
    response = client.post(API + "studies", {})

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET, HEAD"


def test_a_session_is_not_read_by_the_api(client, world):
    """A signed-in browser reads what a visitor reads: only a token is somebody's."""
    from accounts.models import User

    client.force_login(User.objects.get(email="member.secret@example.org"))

    forums = [forum["slug"] for forum in client.get(API + "forums").json()["items"]]

    assert forums == ["public-forum"]


@pytest.fixture
def limit(settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW = 60
    cache.clear()


def test_beyond_the_limit_an_address_is_answered_429_with_retry_after(client, db, limit):
    answers = [client.get(API + "topics", REMOTE_ADDR="203.0.113.5") for _ in range(4)]
    other = client.get(API + "topics", REMOTE_ADDR="203.0.113.6")

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert answers[0]["X-RateLimit-Remaining"] == "2"
    assert other.status_code == 200


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_address(client, db, limit, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def ask(client_address):
        # Our one proxy appends the address it saw; what the client sent before it is not trusted.
        forwarded = f"192.0.2.66, {client_address}"
        return client.get(API + "topics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    first = [ask("198.51.100.1").status_code for _ in range(4)]
    second = ask("198.51.100.2").status_code

    assert first == [200, 200, 200, 429]
    assert second == 200


@pytest.fixture
def redis_gone(settings):
    """A redis-server of this test's own as the cache, then stopped."""
    with redis_server() as (process, url):
        settings.CACHES = {
            "default": {
                "BACKEND": "core.cache.SharedClientRedisCache",
                "LOCATION": url,
                "OPTIONS": settings.REDIS_OPTIONS,
            }
        }
        process.terminate()
        process.wait(timeout=10)
        try:
            yield
        finally:
            # Back to a local cache: the tests' teardown clears the cache.
            settings.CACHES = {
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
            }


def test_with_redis_away_the_limit_still_holds_in_this_process(client, db, limit, redis_gone):
    """The counters live in the cache under allauth's rate-limit prefix (core.cache): while
    Redis is away they are kept in this process's memory, as sign-in limits are."""
    answers = [client.get(API + "topics", REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
