"""/healthz: what a load balancer and an operator need to know about each part.

    {"status": "ok" | "degraded" | "unavailable",
     "database": "up" | "down",
     "cache": "up" | "down" | "local",     (local: per-process memory, no Redis configured)
     "broker": "up" | "down" | "inline",   (inline: no broker, tasks run in the request)
     "outbox": {"waiting": n, "oldest_seconds": s, "given_up": n, "state": "ok" | "late"},
     "replicas": {"replica1": {"state": "up" | "aside", "lag_seconds": s | null}}}
                                           (only with DATABASE_REPLICA_URLS: core/replicas.py)

503 only when the database is down: nothing can be served without it. A cache or broker down,
or an outbox whose oldest waiting job is older than OUTBOX_LATE_SECONDS (no worker takes them),
is "degraded" with 200: pages still render (slower) and posts are still saved, so the
instance stays in rotation while someone is alerted. So is a read replica left aside (away, or
lagging beyond REPLICA_MAX_LAG_SECONDS): its reads go to the primary meanwhile.
"""

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse

HEALTH_PATH = "/healthz"
PROBE_SECONDS = 1


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "down"
    return "up"


def cache_state() -> str:
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        return "local"
    try:
        cache.set("healthz", "1", PROBE_SECONDS)
        return "up" if cache.get("healthz") == "1" else "down"
    except Exception:  # the backend's own errors, whichever client it uses
        return "down"


def broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "inline"
    try:
        with current_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=0, timeout=PROBE_SECONDS)
    except Exception:  # kombu raises the transport's own errors
        return "down"
    return "up"


def outbox_state() -> dict:
    # Imported here: apps' AppConfigs import this module before models may be loaded.
    from outbox.models import Entry

    backlog = Entry.objects.backlog()
    late = backlog["oldest_seconds"] > settings.OUTBOX_LATE_SECONDS
    return {
        "waiting": backlog["waiting"],
        "oldest_seconds": backlog["oldest_seconds"],
        "given_up": backlog["given_up"],
        "state": "late" if late else "ok",
    }


def health() -> JsonResponse:
    parts = {"database": database_state(), "cache": cache_state(), "broker": broker_state()}
    if parts["database"] == "down":
        return JsonResponse({"status": "unavailable", **parts}, status=503)
    try:
        parts["outbox"] = outbox_state()
    except DatabaseError:  # the database went away since its probe
        return JsonResponse({"status": "unavailable", **parts}, status=503)
    degraded = "down" in parts.values() or parts["outbox"]["state"] == "late"
    if settings.DATABASE_REPLICAS:
        from core.replicas import replica_states

        parts["replicas"] = replica_states()
        degraded |= any(state["state"] == "aside" for state in parts["replicas"].values())
    return JsonResponse({"status": "degraded" if degraded else "ok", **parts})


class HealthCheckMiddleware:
    """Answer /healthz before anything else runs.

    Load balancers and container runtimes probe by IP address over plain HTTP, so the answer
    must not depend on ALLOWED_HOSTS or the HTTPS redirect, and it never reads the session or
    the user: a probe creates nothing and sets no cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return health()
        return self.get_response(request)
