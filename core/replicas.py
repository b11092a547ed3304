"""Reads from PostgreSQL streaming replicas, writes to the primary, and everyone reads their own
writes.

With DATABASE_REPLICA_URLS set (asmpace/settings.py), DATABASES holds "replica1", "replica2"…
beside "default", ReplicaRouter routes every query, and ReplicaMiddleware decides, once per
request, where that request reads. Without replicas neither is installed: nothing changes.

Where reads go
    Only a request's reads go to a replica: what runs outside a request (commands, Celery tasks,
    the shell, migrations) reads and writes the primary, as does a request in the admin. Writes
    always go to the primary; migrations run there only (the replicas replay them).
    A request whose method may write (POST, PUT, PATCH, DELETE) reads the primary from its
    start, so that no read-modify-write starts from a replica's older row. A safe request (GET,
    HEAD) reads a healthy replica until it writes, then the primary.

Read-your-writes
    A request that wrote anything (any model routed for writing, the session included: a GET may
    keep something in the session for the next request) or whose method may write answers with
    a signed cookie, valid REPLICA_PIN_SECONDS: while it is, the same browser reads the primary.
    So the page after a POST's redirect shows what the POST did, and a replica a few
    milliseconds behind is never seen by the one who wrote. The cookie holds
    no secret (forging it only sends one's own reads to the primary); it is signed so that its
    time cannot be stretched.
    Bookkeeping that a safe request writes and that may be read back a moment late names its
    models in REPLICA_UNPINNED_MODELS: a member's read marks (forums.ReadMark), written by every
    thread page they open, would otherwise send all their reading to the primary.

Health and lag, per process, looked at most every REPLICA_CHECK_SECONDS (not per query)
    A replica that does not connect, or is not in recovery (promoted: no longer a copy), is left
    aside until the next look. Its lag is an upper bound of how old its data may be:
      - 0 when it has replayed the primary's current WAL position (pg_current_wal_lsn(), read
        before the replica's pg_last_wal_replay_lsn()): on an idle primary a replica that has
        everything is not behind, however long ago the last transaction was (this is why
        now() - pg_last_xact_replay_timestamp() alone is wrong: it grows on an idle primary);
      - otherwise the smaller of two ages: since the last look whose primary position it has
        replayed (it had everything the primary had then), and since its last replayed commit
        (pg_last_xact_replay_timestamp(): it had everything up to that commit; the two hosts'
        clocks are taken to agree, as NTP keeps them). On a busy primary the second is
        milliseconds; with replay paused or slow, both grow.
    Past REPLICA_MAX_LAG_SECONDS the replica is left aside until a look finds it closer.

A replica that fails
    Where reads start: the middleware takes the chosen replica's connection before the request
    runs (the pool checks it); one that does not connect is left aside and the request reads
    the primary. A replica lost in the middle of a safe request (its query fails with a
    connection error) is left aside and the request is made again on the primary: the reader
    gets the page, not an error. The replica is looked at again after REPLICA_CHECK_SECONDS;
    its connections refuse at once meanwhile (core/postgresql, one outage per alias).
"""

import contextlib
import functools
import logging
import random
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.urls import reverse

logger = logging.getLogger(__name__)

PIN_COOKIE = "asmpace_primary"
PIN_SALT = "core.replicas.pin"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

# This thread's request: the replica it reads (None: the primary), and whether it wrote.
_request = threading.local()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        replica = getattr(_request, "replica", None)
        if replica is None or getattr(_request, "wrote", False):
            return "default"
        return replica

    def db_for_write(self, model, **hints):
        if model._meta.label not in settings.REPLICA_UNPINNED_MODELS:
            _request.wrote = True
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def lsn(text: str | None) -> int | None:
    """A WAL position ("16/B374D848") as a number."""
    if not text:
        return None
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclass
class Health:
    healthy: bool = False
    next_look: float = 0.0  # time.monotonic()
    lag: float | None = None
    # (time.monotonic(), the primary's WAL position then), oldest first: the looks that the
    # replica had not replayed yet when last seen, and the newest one it had.
    seen: list = field(default_factory=list)

    def estimate_lag(self, now, primary, replayed, since_commit) -> float:
        """An upper bound of the replica's staleness, in seconds (see the module)."""
        self.seen.append((now, primary))
        if replayed >= primary:
            self.seen = [(now, primary)]
            return 0.0
        had = [i for i, (_, position) in enumerate(self.seen) if position <= replayed]
        bounds = [] if since_commit is None else [max(0.0, since_commit)]
        if had:
            self.seen = self.seen[had[-1] :]
            bounds.append(now - self.seen[0][0])
        self.seen = self.seen[-1000:]
        # Never seen caught up and no commit replayed: as old as anything could be.
        return min(bounds) if bounds else float("inf")


_health: dict[str, Health] = {}
_looking = threading.Lock()


def look_at(alias: str, health: Health) -> None:
    """Whether the replica answers, is a replica, and how far behind it is."""
    now = time.monotonic()
    health.next_look = now + settings.REPLICA_CHECK_SECONDS
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary = lsn(cursor.fetchone()[0])
    except DatabaseError:
        # The primary away (core/postgresql logs it): the replica keeps its last state, and a
        # healthy one goes on answering reads.
        return
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
            )
            recovering, replayed, since_commit = cursor.fetchone()
    except DatabaseError as error:
        if health.healthy or health.lag is None:
            logger.warning("Replica %s left aside: it did not answer (%s)", alias, error)
        health.healthy, health.lag = False, float("inf")
        _close(alias)
        return
    if not recovering or replayed is None:
        if health.healthy or health.lag is None:
            logger.warning("Replica %s left aside: it is not a streaming replica", alias)
        health.healthy, health.lag = False, float("inf")
        return
    since = None if since_commit is None else float(since_commit)
    health.lag = health.estimate_lag(now, primary, lsn(replayed), since)
    healthy = health.lag <= settings.REPLICA_MAX_LAG_SECONDS
    if health.healthy and not healthy:
        logger.warning("Replica %s left aside: %.1f s behind the primary", alias, health.lag)
    elif healthy and not health.healthy and health.next_look:
        logger.info("Replica %s read again (%.1f s behind)", alias, health.lag)
    health.healthy = healthy


def healthy_replicas() -> list[str]:
    """The replicas this process may read now, looking at those whose time has come (one thread
    looks; the others meanwhile go by the last look)."""
    now = time.monotonic()
    due = [
        alias
        for alias in settings.DATABASE_REPLICAS
        if _health.setdefault(alias, Health()).next_look <= now
    ]
    if due and _looking.acquire(blocking=False):
        try:
            for alias in due:
                look_at(alias, _health[alias])
        finally:
            _looking.release()
    return [alias for alias in settings.DATABASE_REPLICAS if _health[alias].healthy]


def replica_states() -> dict:
    """For /healthz: each replica "up" or "aside", and its lag at the last look (None: not
    known, or it did not answer)."""
    healthy = healthy_replicas()
    states = {}
    for alias in settings.DATABASE_REPLICAS:
        lag = _health[alias].lag
        known = lag is not None and lag != float("inf")
        states[alias] = {
            "state": "up" if alias in healthy else "aside",
            "lag_seconds": round(lag, 1) if known else None,
        }
    return states


def leave_aside(alias: str, why) -> None:
    health = _health.setdefault(alias, Health())
    if health.healthy:
        logger.warning("Replica %s left aside: %s", alias, why)
    health.healthy = False
    health.next_look = time.monotonic() + settings.REPLICA_CHECK_SECONDS
    _close(alias)


def _close(alias: str) -> None:
    with contextlib.suppress(Exception):
        connections[alias].close()


def replica_for_request() -> str | None:
    """A healthy replica whose connection is in hand, or None (the primary)."""
    replicas = healthy_replicas()
    random.shuffle(replicas)
    for alias in replicas:
        try:
            connections[alias].ensure_connection()
        except DatabaseError as error:
            leave_aside(alias, error)
            continue
        return alias
    return None


def pinned(request) -> bool:
    """Whether this browser wrote in the last REPLICA_PIN_SECONDS."""
    return (
        request.get_signed_cookie(
            PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
        )
        is not None
    )


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        safe = request.method in SAFE_METHODS
        reads_replica = safe and not pinned(request) and not in_admin(request)
        replica = replica_for_request() if reads_replica else None
        response = self.respond(request, replica)
        failed = getattr(_request, "replica_failed", False)
        if replica is not None and failed and not getattr(_request, "wrote", False):
            # The replica went away under this request, before it wrote: the same request
            # again, on the primary.
            leave_aside(replica, "its connection failed during a request")
            response = self.respond(request, None)
        if getattr(_request, "wrote", False) or not safe:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=max(1, round(settings.REPLICA_PIN_SECONDS)),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        _request.replica, _request.wrote, _request.replica_failed = None, False, False
        return response

    def respond(self, request, replica):
        _request.replica, _request.wrote, _request.replica_failed = replica, False, False
        if replica is None:
            return self.get_response(request)
        with connections[replica].execute_wrapper(self.watch):
            return self.get_response(request)

    @staticmethod
    def watch(execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError):
            if not getattr(_request, "wrote", False):
                _request.replica_failed = True
            raise


@functools.cache
def admin_prefix() -> str:
    return reverse("admin:index")


def in_admin(request) -> bool:
    """The admin reads what it is about to change (and its sign-in, its session): always the
    primary."""
    return request.path_info.startswith(admin_prefix())
