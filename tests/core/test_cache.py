"""The Redis cache backend (core/cache.py) on the machine's Redis, and the page cache through it."""

import os
import uuid

import pytest
from django.core.cache import caches
from django.test import Client

from core.memberpages import HIT
from core.pagecache import HIT_HEADER
from tests.engines import redis_server
from tests.factories import PostFactory, ThreadFactory, UserFactory

# Not the database of TEST_REDIS_URL, which the broker tests flush.
REDIS = os.environ.get("TEST_REDIS_CACHE_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_cache(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS}")
        pytest.skip(f"no Redis at {REDIS}")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.SharedClientRedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        }
    }
    cache = caches["default"]
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    # The tests' own teardown clears the cache: on the shared Redis that would flush the
    # database that other tests use as a broker.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_one_client_serves_every_call(redis_cache):
    redis_cache.set("a", {"page": b"bytes"}, 30)
    redis_cache.set_many({"b": 2, "c": "three"}, 30)

    assert redis_cache.get("a") == {"page": b"bytes"}
    assert redis_cache.get_many(["a", "b", "c", "missing"]) == {
        "a": {"page": b"bytes"},
        "b": 2,
        "c": "three",
    }
    assert redis_cache._cache.get_client() is redis_cache._cache.get_client(write=True)


@pytest.mark.django_db
def test_visitors_pages_are_cached_and_refreshed_through_redis(redis_cache):
    thread = ThreadFactory(title="Dredging on the Ulindi")
    url = thread.get_absolute_url()
    Client().get(url)

    assert Client().get(url).headers.get(HIT_HEADER) == "hit"
    PostFactory(thread=thread, body="The dredges came back in June.")
    fresh = Client().get(url)
    assert fresh.headers.get(HIT_HEADER) != "hit"
    assert "The dredges came back in June." in fresh.content.decode()
    assert Client().get(url).headers.get(HIT_HEADER) == "hit"


@pytest.fixture
def own_redis(settings):
    """A redis-server of this test's own as the cache."""
    with redis_server() as (process, url):
        settings.CACHES = {
            "default": {
                "BACKEND": "core.cache.SharedClientRedisCache",
                "LOCATION": url,
                "OPTIONS": settings.REDIS_OPTIONS,
            }
        }
        try:
            yield process
        finally:
            # Back to a local cache before our Redis goes: the tests' teardown clears the cache.
            settings.CACHES = {
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
            }


@pytest.mark.django_db
def test_a_hanging_redis_slows_a_page_but_never_breaks_it(own_redis):
    import signal
    import time

    thread = ThreadFactory(title="Dredging on the Ulindi")
    url = thread.get_absolute_url()
    Client().get(url)
    assert Client().get(url).headers.get(HIT_HEADER) == "hit"

    own_redis.send_signal(signal.SIGSTOP)  # Redis accepts connections but answers nothing
    start = time.monotonic()
    response = Client().get(url)
    elapsed = time.monotonic() - start

    assert response.status_code == 200
    assert "Dredging on the Ulindi" in response.content.decode()
    assert elapsed < 5


@pytest.mark.django_db
def test_members_shared_pages_go_through_redis_and_survive_its_death(own_redis):
    thread = ThreadFactory(title="Dredging on the Ulindi")
    url = thread.get_absolute_url()
    readers = []
    for _ in range(2):
        reader = Client()
        reader.force_login(UserFactory())
        readers.append(reader)
    readers[0].get(url)
    assert readers[1].get(url).headers.get(HIT_HEADER) == HIT

    own_redis.terminate()
    own_redis.wait(timeout=10)
    response = readers[1].get(url)

    assert response.status_code == 200
    assert "Dredging on the Ulindi" in response.content.decode()
    assert "\ue000" not in response.content.decode()
    assert 'name="csrfmiddlewaretoken" value="' in response.content.decode()
    assert "Follow this thread" in response.content.decode()


SIGN_IN = {"login": "amani@example.org", "password": "a long pass phrase 42"}


@pytest.fixture
def person(settings):
    settings.SESSION_ENGINE = "core.sessions"
    return UserFactory(email=SIGN_IN["login"], password=SIGN_IN["password"])


def signed_in_client():
    client = Client()
    assert client.post("/en/accounts/login/", SIGN_IN).status_code == 302
    return client


def is_signed_in(client):
    return "Sign out" in client.get("/en/forums/").content.decode()


@pytest.mark.django_db
def test_with_redis_gone_people_stay_signed_in_and_sign_in_and_out(own_redis, person):
    reader = signed_in_client()

    own_redis.terminate()
    own_redis.wait(timeout=10)

    assert is_signed_in(reader)
    newcomer = signed_in_client()
    assert is_signed_in(newcomer)
    assert reader.post("/en/accounts/logout/").status_code == 302
    assert not is_signed_in(reader)


@pytest.mark.django_db
def test_with_redis_gone_the_sign_in_limits_still_hold(own_redis, person):
    own_redis.terminate()
    own_redis.wait(timeout=10)
    wrong = {**SIGN_IN, "password": "not the pass phrase"}

    answers = [Client().post("/en/accounts/login/", wrong).content.decode() for _ in range(6)]

    # allauth's limit on failed sign-ins (5 per address), counted in this process.
    assert "Too many failed login attempts" not in answers[0]
    assert "Too many failed login attempts" in answers[-1]
    right = Client().post("/en/accounts/login/", SIGN_IN)
    assert right.status_code == 200  # refused while the limit holds, even the right password


@pytest.mark.django_db
def test_a_session_ended_while_redis_hung_does_not_come_back_with_it(own_redis, person):
    import signal

    reader = signed_in_client()
    cookie = reader.cookies["sessionid"].value
    own_redis.send_signal(signal.SIGSTOP)  # Redis keeps the session, and answers nothing

    assert reader.post("/en/accounts/logout/").status_code == 302
    own_redis.send_signal(signal.SIGCONT)
    Client().get("/en/forums/")  # any later request deletes it from the cache

    returning = Client()
    returning.cookies["sessionid"] = cookie
    assert not is_signed_in(returning)


@pytest.mark.django_db
def test_a_redis_away_is_reported_once_skipped_meanwhile_and_used_again_when_back(
    own_redis, settings, caplog
):
    import logging
    import time

    from tests.engines import redis_server

    settings.REDIS_RETRY_SECONDS = 1
    thread = ThreadFactory(title="Dredging on the Ulindi")
    url = thread.get_absolute_url()
    Client().get(url)
    assert Client().get(url).headers.get(HIT_HEADER) == "hit"
    port = int(settings.CACHES["default"]["LOCATION"].rsplit(":", 1)[1].split("/")[0])

    own_redis.terminate()
    own_redis.wait(timeout=10)
    with caplog.at_level(logging.WARNING):
        pages = [Client().get(url) for _ in range(20)]

    assert {page.status_code for page in pages} == {200}
    assert all("Dredging on the Ulindi" in page.content.decode() for page in pages)
    away = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [record.getMessage()[:14] for record in away] == ["Redis is away "], "one line"

    caplog.clear()
    with redis_server(port), caplog.at_level(logging.WARNING):
        time.sleep(1.1)  # REDIS_RETRY_SECONDS
        Client().get(url)
        assert Client().get(url).headers.get(HIT_HEADER) == "hit", "the cache is used again"
        assert "Redis answers again" in [record.getMessage() for record in caplog.records]


@pytest.mark.django_db
def test_with_redis_gone_the_library_search_counts_what_the_database_holds(own_redis):
    """The library's catalogue (publications/catalogue.py) is kept under a version in Redis;
    with Redis gone it cannot know whether its copy is current, so it reads the library again."""
    from tests.factories import PublicationFactory

    PublicationFactory(title="Cobalt one")
    assert Client().get("/en/publications/", {"q": "cobalt"}).context["paginator"].count == 1

    own_redis.terminate()
    own_redis.wait(timeout=10)
    PublicationFactory(title="Cobalt two")
    response = Client().get("/en/publications/", {"q": "cobalt"})

    assert response.status_code == 200
    assert response.context["paginator"].count == 2
    assert {study.title for study in response.context["publications"]} == {
        "Cobalt one",
        "Cobalt two",
    }
