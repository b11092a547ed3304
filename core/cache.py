"""Django's Redis cache, with one Redis client per connection pool instead of one per command,
and rate-limit counters that outlive a Redis outage.

Django's RedisCacheClient makes a new `redis.Redis` for every command; redis-py 8 fills about
170 response callbacks in each one, some 0.2 ms of Python per cache call, more than the call
itself. A client is safe to share: it takes a connection from the pool for each command.

allauth counts sign-ins, sign-ups and reset emails in the cache (keys "allauth:rl:..."). While
Redis is away those counters live in this process's memory: the limits still hold, per process,
rather than every sign-in failing (closed) or no limit at all (open). Every other key still
raises, for its caller to decide: the page cache must never keep versions apart per process.
"""

import logging

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
RATE_LIMIT_KEYS = "allauth:rl:"


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


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
            logger.warning("Rate limits counted in this process: Redis is away", exc_info=True)
            return getattr(self._rate_limits_here, method)(key, *args, **kwargs)

    def add(self, key, *args, **kwargs):
        return self._or_here("add", key, *args, **kwargs)

    def get(self, key, *args, **kwargs):
        return self._or_here("get", key, *args, **kwargs)

    def set(self, key, *args, **kwargs):
        return self._or_here("set", key, *args, **kwargs)

    def delete(self, key, *args, **kwargs):
        return self._or_here("delete", key, *args, **kwargs)
