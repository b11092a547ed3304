"""/healthz: what a load balancer and an operator need to know about each part.

    {"status": "ok" | "degraded" | "unavailable",
     "database": "up" | "down",
     "cache": "up" | "down" | "local",     (local: per-process memory, no Redis configured)
     "broker": "up" | "down" | "inline"}   (inline: no broker, tasks run in the request)

503 only when the database is down: nothing can be served without it. A cache or broker down
is "degraded" with 200: pages still render (slower) and posts are still saved, so the
instance stays in rotation while someone is alerted.
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


def health() -> JsonResponse:
    parts = {"database": database_state(), "cache": cache_state(), "broker": broker_state()}
    if parts["database"] == "down":
        return JsonResponse({"status": "unavailable", **parts}, status=503)
    status = "degraded" if "down" in parts.values() else "ok"
    return JsonResponse({"status": status, **parts})


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
