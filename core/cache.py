"""Django's Redis cache, with one Redis client per connection pool instead of one per command.

Django's RedisCacheClient makes a new `redis.Redis` for every command; redis-py 8 fills about
170 response callbacks in each one, some 0.2 ms of Python per cache call, more than the call
itself. A client is safe to share: it takes a connection from the pool for each command.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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
