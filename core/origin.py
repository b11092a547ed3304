"""Telling a form posted from this site from one posted by another, without a CSRF token.

A visitor's cached page cannot carry a CSRF token (it would be one visitor's token served to
all), so the one form it holds, the language switcher, is checked the way browsers now allow:
they say where a request comes from in Sec-Fetch-Site, and older ones in Origin on every POST.
A request with neither comes from no browser that a cross-site form could drive.
"""

from django.conf import settings


def is_same_origin(request) -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin == f"{request.scheme}://{request.get_host()}" or origin in getattr(
        settings, "CSRF_TRUSTED_ORIGINS", ()
    )
