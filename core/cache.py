"""Django's Redis cache, with one Redis client per connection pool instead of one per command,
and rate-limit counters that outlive a Redis outage.

Django's RedisCacheClient makes a new `redis.Redis` for every command; redis-py 8 fills about
170 response callbacks in each one, some 0.2 ms of Python per cache call, more than the call
itself. A client is safe to share: it takes a connection from the pool for each command.

allauth counts sign-ins, sign-ups and reset emails in the cache (keys "allauth:rl:..."), and
the API its requests per address (api.guard) under the same prefix. While
Redis is away those counters live in this process's memory: the limits still hold, per process,
rather than every sign-in failing (closed) or no limit at all (open). Every other key still
raises, for its caller to decide: the page cache must never keep versions apart per process.

A Redis that does not answer is not asked again for REDIS_RETRY_SECONDS: meanwhile every call
raises CacheAway at once, so that pages are made from the database at their usual speed instead
of each waiting for a refused or timed-out connection. The outage is logged once when it starts
and once when Redis answers again; callers pass CacheAway over in silence (`failed()`).
"""

import hashlib
import logging
import sys
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
RATE_LIMIT_KEYS = "allauth:rl:"


class CacheAway(RedisConnectionError):
    """Redis did not answer, now or moments ago. Reported once per outage, by this module."""


def _guarded(method):
    def call(self, *args, **kwargs):
        if time.monotonic() < self.asked_again_at:
            raise CacheAway("Redis did not answer moments ago")
        try:
            result = method(self, *args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as error:
            self.asked_again_at = time.monotonic() + settings.REDIS_RETRY_SECONDS
            if not self.outage_reported:
                self.outage_reported = True
                logger.error(
                    "Redis is away (%s): pages are made and sessions read from the database, "
                    "and Redis is asked again every %s s",
                    error,
                    settings.REDIS_RETRY_SECONDS,
                )
            raise CacheAway(str(error)) from error
        if self.outage_reported:
            self.outage_reported = False
            logger.warning("Redis answers again")
        return result

    return call


def failed(log, message, *args):
    """In an `except` block around a cache call: log the failure, with its traceback, unless it
    is Redis away (already reported for this outage)."""
    if not isinstance(sys.exc_info()[1], CacheAway):
        log.exception(message, *args)


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self.asked_again_at = 0.0  # time.monotonic() when a Redis away is asked again
        self.outage_reported = False

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client

    add = _guarded(RedisCacheClient.add)
    get = _guarded(RedisCacheClient.get)
    set = _guarded(RedisCacheClient.set)
    touch = _guarded(RedisCacheClient.touch)
    delete = _guarded(RedisCacheClient.delete)
    get_many = _guarded(RedisCacheClient.get_many)
    has_key = _guarded(RedisCacheClient.has_key)
    incr = _guarded(RedisCacheClient.incr)
    set_many = _guarded(RedisCacheClient.set_many)
    delete_many = _guarded(RedisCacheClient.delete_many)
    clear = _guarded(RedisCacheClient.clear)


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
        self._rate_limits_here = LocMemCache("rate-limits", {})

    def _or_here(self, method, key, *args, **kwargs):
        try:
            return getattr(super(), method)(key, *args, **kwargs)
        except RedisError:
            if not key.startswith(RATE_LIMIT_KEYS):
                raise
            return getattr(self._rate_limits_here, method)(key, *args, **kwargs)

    def add(self, key, *args, **kwargs):
        return self._or_here("add", key, *args, **kwargs)

    def get(self, key, *args, **kwargs):
        return self._or_here("get", key, *args, **kwargs)

    def set(self, key, *args, **kwargs):
        return self._or_here("set", key, *args, **kwargs)

    def delete(self, key, *args, **kwargs):
        return self._or_here("delete", key, *args, **kwargs)

    def incr(self, key, *args, **kwargs):
        return self._or_here("incr", key, *args, **kwargs)


def count_from_client(request, scope: str, window: int) -> tuple[int, float] | None:
    """Count one more request of `scope` from the request's client address in the current
    window of `window` seconds, under allauth's rate-limit prefix (so the count holds per process
    while Redis is away). Returns (requests so far in the window, when the window started), or
    None if it could not be counted: a limit is a guard, the cache an accelerator."""
    from allauth.account.adapter import get_adapter  # allauth's apps load after core's
    from django.core.cache import cache
    from django.core.exceptions import PermissionDenied

    try:
        address = get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        address = "unknown"
    started = int(time.time() // window) * window
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    key = f"{RATE_LIMIT_KEYS}{scope}:{started}:{digest}"
    try:
        cache.add(key, 0, timeout=window + 1)
        return cache.incr(key), started
    except ValueError:  # the window ended between the two calls: a new one begins
        return None
    except Exception:
        failed(logger, "%s: requests per client address could not be counted", scope)
        return None
