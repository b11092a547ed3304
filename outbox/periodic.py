"""Scheduled jobs run once per period, however many beats send them.

Exactly one `celery beat` should run (docker-compose has one), but a second one started by
mistake, or an old one still running beside its replacement during a deploy, sends every
scheduled task again: two relays a period, two digest runs, two open-data builds. A task marked
`@once_per_period(seconds)` takes a lock in the shared cache (Redis) before it works: a key named
after the task, added only if absent (`cache.add`, atomic in Redis), kept for HOLD of the period.
The first copy of a period takes it and works; the others find it taken and do nothing. Holding
it for a little less than the period leaves the next period's run free whatever the jitter of
the beats; a run that fails lets the lock go, so that a retry or the other beat's copy may do
the work. A worker killed mid-run keeps it until it lapses: the next period's run catches up (the
digests send everything since the last one, the relay everything due, the build everything).

Only copies run by a worker (or `.apply()`/`.delay()`) take the lock: a direct call, as a
management command or a test makes, always works.

Without a shared cache (no REDIS_URL) the lock is per process: enough for one beat and workers
in one machine's memory only. With Redis away, the task runs anyway (fails open): each of these
jobs is itself safe to run twice (row locks, done marks, a build that replaces the last), the
lock saves the duplicate work, it is not what keeps the data right.
"""

import logging
import time
from collections.abc import Callable
from functools import wraps

from celery import current_task
from django.core.cache import cache

logger = logging.getLogger(__name__)

HOLD = 0.9  # of the period: the next period's run is never refused by this one's lock
KEY_PREFIX = "scheduled:"


def once_per_period(period: float | Callable[[], float]):
    """Run the decorated task at most once per `period` seconds (a number, or a function that
    reads it from the settings at run time). Put it under @shared_task. A copy that finds the
    period's run done or under way returns None and logs why."""

    def decorate(function: Callable) -> Callable:
        name = f"{function.__module__}.{function.__name__}"

        @wraps(function)
        def run(*args, **kwargs):
            # The Proxy is falsy outside any task; another task may call this one's function.
            task = current_task
            if not task or task.name != name or task.request.called_directly:
                return function(*args, **kwargs)
            seconds = period() if callable(period) else period
            key = lock_key(name)
            try:
                first = cache.add(key, time.time(), timeout=max(1, int(seconds * HOLD)))
            except Exception:  # the cache's own errors: Redis away, refused, timed out
                logger.warning("%s: no lock (the cache did not answer); run anyway", name)
                first, key = True, None
            if not first:
                logger.info("%s: run already this period (another beat sent it): skipped", name)
                return None
            try:
                return function(*args, **kwargs)
            except BaseException:
                if key:
                    release(key)
                raise

        run.period = period  # what it was marked with (tests, and anyone reading a task)
        return run

    return decorate


def lock_key(task_name: str) -> str:
    """The cache key of the named task's lock (a task's name is its module and function)."""
    return KEY_PREFIX + task_name


def release(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.warning("%s: the lock could not be let go; it lapses on its own", key)
