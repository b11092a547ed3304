"""Sessions kept in the database and read through the cache: with the cache down, people stay
signed in, sign in and sign out; the database alone answers.

Django's cached_db backend already falls back to the database when the cache cannot be read,
but then writes what it read back to the cache, checks new keys and deletes ended sessions in
the cache too, and any of those fails the request while Redis is away. Here each of them is
tried and, when it fails, logged: a session is never lost, since the database holds it. A
session ended (signed out) while the cache was away would come back from the cache once Redis
returns, so its key is deleted from the cache at the process's next session read or write.
"""

import logging

from django.contrib.sessions.backends import cached_db

from .cache import failed

logger = logging.getLogger(__name__)
_undeleted = set()  # cache keys of ended sessions, to delete once the cache answers again


class ForgivingCache:
    """The cache as sessions use it, where a failure means "not in the cache"."""

    def __init__(self, cache):
        self.cache = cache

    def _catch_up(self):
        if _undeleted:
            keys = list(_undeleted)
            self.cache.delete_many(keys)  # raises while the cache is away: callers catch it
            _undeleted.difference_update(keys)

    def get(self, key, default=None):
        try:
            self._catch_up()
            return self.cache.get(key, default)
        except Exception:
            failed(logger, "Sessions read from the database: the cache failed")
            return default

    def set(self, key, value, timeout=None):
        try:
            self._catch_up()
            self.cache.set(key, value, timeout)
        except Exception:
            failed(logger, "A session was not copied to the cache")

    def __contains__(self, key):
        try:
            return key in self.cache
        except Exception:
            return False  # exists() then asks the database

    def delete(self, key):
        try:
            self.cache.delete(key)
        except Exception:
            _undeleted.add(key)
            failed(logger, "An ended session stays in the cache until it answers")


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = ForgivingCache(self._cache)
