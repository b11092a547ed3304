"""The Redis cache backend (core/cache.py) on the machine's Redis, and the page cache through it."""

import uuid

import pytest
from django.core.cache import caches
from django.test import Client

from core.pagecache import HIT_HEADER
from tests.factories import PostFactory, ThreadFactory

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_cache(settings):
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
