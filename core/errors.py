"""The page for an error nobody caught: a database that cannot be reached is a 503 saying to
try again in a minute, never a traceback or a 500. And a refusal (403) that an app above may
want on record."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views.defaults import permission_denied as django_permission_denied
from django.views.defaults import server_error as django_server_error

from .hooks import Hook

RETRY_AFTER_SECONDS = 60

# forums answers: a suspended moderator's refused attempt goes into the moderation log.
refused = Hook("This request was refused (403): does an app above record it?")


def permission_denied(request, exception):
    """handler403: Django's page, once the apps above have noted the refusal."""
    refused.ask(request)
    return django_permission_denied(request, exception)


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
