"""The page for an error nobody caught: a database that cannot be reached is a 503 saying to
try again in a minute, never a traceback or a 500."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 60


def server_error(request):
    """handler500: Django calls it while handling the exception, which sys.exc_info() gives.
    An OperationalError is the database gone or refusing work for now (down, restarting, the
    pool waited in vain); InterfaceError a connection it closed."""
    error = sys.exc_info()[1]
    if not isinstance(error, (OperationalError, InterfaceError)):
        return django_server_error(request)
    response = HttpResponse(
        render_to_string("errors/unavailable.html", {"request": request}), status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
