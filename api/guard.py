"""What every API answer goes through, around ninja's own views (api.urls wraps each):

- a rate limit per client address, counted in the cache under allauth's rate-limit prefix so
  that, like sign-in limits, it still holds per process while Redis is away (core.cache); the
  address is allauth's, which trusts DJANGO_TRUSTED_PROXY_COUNT proxies (settings);
- the reader: a visitor, or the holder of the `Authorization: Bearer` token; sessions are not
  read (the API is for programs, and an open CORS policy must never act as a signed-in person);
- CORS open for reading, without credentials;
- ETag (of the body) and Last-Modified (of the newest row, when the endpoint says it) with 304
  on If-None-Match / If-Modified-Since;
- problem details for what fails before or outside an endpoint, a 503 for a database away.
"""

import hashlib
import logging
import math
import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from core.cache import count_from_client

from .models import Token, token_hash
from .permissions import may_read_with
from .problems import problem

logger = logging.getLogger(__name__)

READ_METHODS = ("GET", "HEAD")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After, X-RateLimit-Limit, "
    "X-RateLimit-Remaining",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}
LAST_MODIFIED = "api_last_modified"  # set on the request by an endpoint: its newest row's time


def guarded(view):
    @wraps(view)
    def answer(request, *args, **kwargs):
        response = _answer(view, request, *args, **kwargs)
        for name, value in CORS_HEADERS.items():
            response[name] = value
        patch_vary_headers(response, ("Authorization",))
        return response

    return answer


def _answer(view, request, *args, **kwargs):
    if request.method == "OPTIONS":
        return preflight()
    if request.method == "HEAD":
        # The GET's headers without its body: ninja routes GET alone.
        request.method = "GET"
        response = _answer(view, request, *args, **kwargs)
        response.content = b""
        return response
    limited = rate_limited(request)
    if limited is not None:
        return limited
    if request.method not in READ_METHODS:
        return problem(405, "The API only reads: use GET.", headers={"Allow": "GET, HEAD"})
    reader = token_reader(request)
    if reader is None:
        return problem(
            401,
            "This token is unknown or revoked: make a new one on your profile page, or send "
            "no Authorization header to read what is public.",
            headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
        )
    request.user = reader
    try:
        # One language for every reader: labels do not change with Accept-Language.
        with translation.override(settings.LANGUAGE_CODE):
            response = view(request, *args, **kwargs)
    except DatabaseError:
        logger.exception("API: the database did not answer")
        return problem(
            503,
            "The database does not answer: try again in a minute.",
            headers={"Retry-After": "60"},
        )
    if response.status_code == 200:
        if hasattr(response, "render"):
            response.render()
        return conditional(request, response)
    return response


def preflight():
    response = HttpResponse(status=204)
    for name, value in PREFLIGHT_HEADERS.items():
        response[name] = value
    return response


def rate_limit() -> tuple[int, int]:
    """(requests, seconds): API_RATE_LIMIT requests per API_RATE_WINDOW seconds; 0 is no limit."""
    return settings.API_RATE_LIMIT, settings.API_RATE_WINDOW


def rate_limited(request):
    """None, or a 429 problem with Retry-After: at most so many requests per client address
    in each window (rate_limit())."""
    limit, window = rate_limit()
    if not limit:
        return None
    counted = count_from_client(request, "api", window)
    if counted is None:  # with no cache, the API still answers
        return None
    now = time.time()
    used, started = counted
    if used <= limit:
        request.api_rate_remaining = limit - used
        return None
    retry_after = max(1, math.ceil(started + window - now))
    return problem(
        429,
        f"More than {limit} requests in {window} seconds from this address: "
        f"try again in {retry_after} seconds.",
        headers={"Retry-After": str(retry_after)},
    )


def token_reader(request):
    """The person whose token the request carries, a visitor without one, None for a token
    that reads nothing (unknown, revoked, or its holder no longer takes part)."""
    header = request.headers.get("Authorization")
    if header is None:
        return AnonymousUser()
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = Token.objects.select_related("user").filter(key_hash=token_hash(secret.strip())).first()
    if token is None or not may_read_with(token):
        return None
    now = timezone.now()
    # Written at most once an hour: a client paging through everything writes once.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
        Token.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def conditional(request, response):
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    last_modified = getattr(request, LAST_MODIFIED, None)
    response["ETag"] = etag
    response["Cache-Control"] = (
        "private, no-cache" if request.user.is_authenticated else "public, no-cache"
    )
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response["Last-Modified"] = http_date(timestamp)
    remaining = getattr(request, "api_rate_remaining", None)
    if remaining is not None:
        response["X-RateLimit-Limit"] = str(rate_limit()[0])
        response["X-RateLimit-Remaining"] = str(remaining)
    return get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)
