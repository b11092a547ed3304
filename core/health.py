from django.db import DatabaseError, connection
from django.http import JsonResponse

HEALTH_PATH = "/healthz"


def database_health() -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


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
            return database_health()
        return self.get_response(request)
