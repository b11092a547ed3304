"""The portal's own pages for a request it cannot answer: 400, 403, 404, 500 and 503, in its
design (templates/errors/, extending base.html) and in the reader's language, each with a way
back: home, the page the reader came from (when it is one of ours), and a search on a 404.

The language is the address's (/en/…, /fr/…); an address without one (a mistyped old address,
a request refused before the language was chosen) gets the reader's own, as its redirect would
(core.addresses.reader_language: cookie, account, Accept-Language, else English).

A database that cannot be reached is a 503 saying to try again in a minute, never a traceback
or a 500. The 500 and 503 pages read nothing from the database: their header has no account
links, their footer no programme pages, the reader counts as a visitor and their language
comes from the address, cookie or browser alone. If even that page cannot be made, a few plain
words are sent with the same status.

No error page is ever kept by a page cache (only 200 answers are) nor by a browser or proxy
(`Cache-Control: no-cache, no-store, private`); none shows an exception's text.

A refusal (403) asks the apps above whether they want it on record (`refused`) and why it was
refused (`explained`): forums answers a suspended reader's reason and end date.
"""

import contextlib
import logging
import sys
from urllib.parse import urlsplit, urlunsplit

from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .addresses import language_of, reader_language
from .hooks import Hook

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60

# forums answers: a suspended moderator's refused attempt goes into the moderation log.
refused = Hook("This request was refused (403): does an app above record it?")
# forums answers: a suspended reader is told why, and until when.
explained = Hook(
    "This request was refused (403): why, as the reader should be told? A Part (core.hooks)."
)
# api answers for its addresses: problem details (JSON) instead of a page.
answered = Hook("(request, status) -> an app's own error response for this address, or None")


def bad_request(request, exception):
    """handler400: a request no page can answer (a NUL byte in the address, a bad host)."""
    return error_page(request, 400, "errors/400.html")


def permission_denied(request, exception):
    """handler403: the apps above note the refusal, then say why if they know."""
    refused.ask(request)
    try:
        explanations = explained.ask(request)
    except DatabaseError:
        logger.warning("why %s was refused could not be read", request.path, exc_info=True)
        explanations = []
    return error_page(request, 403, "errors/403.html", {"explanations": explanations})


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without its token or with an old one (a page left open
    across a sign-in, cookies refused): a 403 that says to reload the form and send it again.
    Nobody was refused a right, so the apps above are not asked."""
    return error_page(request, 403, "errors/csrf.html")


def page_not_found(request, exception):
    """handler404: no such page; a search for the words of its address is offered."""
    return error_page(request, 404, "errors/404.html", {"search_words": search_words(request)})


def server_error(request):
    """handler500: Django calls it while handling the exception, which sys.exc_info() gives.
    An OperationalError is the database gone or refusing work for now (down, restarting, the
    pool waited in vain); InterfaceError a connection it closed: 503, to try again."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = error_page(request, 503, "errors/unavailable.html", offline=True)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return error_page(request, 500, "errors/500.html", offline=True)


def error_page(request, status, template, context=None, *, offline=False):
    """The page `template` with `status`, in the reader's language, never cached. `offline`:
    made without the database (500, 503). An app may answer its own addresses (`answered`)."""
    own = answered.first(request, status)
    if own is not None:
        return own
    language = page_language(request, offline=offline)
    context = {"status": status, "page_before": page_before(request), **(context or {})}
    if offline:
        # What base.html would read from the database is given, empty, instead.
        context |= {"offline": True, "user": AnonymousUser(), "footer_pages": (), "messages": ()}
    with translation.override(language), as_visitor(request, offline):
        try:
            html = render_to_string(template, context, request=request)
        except Exception:  # the page of last resort: a few words, still in the language
            logger.exception("the %s page could not be made", status)
            html = plain_page(language, status)
    response = HttpResponse(html, status=status)
    response["Content-Language"] = language
    add_never_cache_headers(response)
    return response


@contextlib.contextmanager
def as_visitor(request, offline):
    """Offline, the reader is a visitor while the page is made: a template tag that reads
    `request.user` reads no session or account. Their own is given back afterwards."""
    if not offline or not hasattr(request, "user"):
        yield
        return
    user = request.user
    request.user = AnonymousUser()
    try:
        yield
    finally:
        request.user = user


def page_language(request, *, offline=False) -> str:
    """The address's language; else the reader's (offline: from the request alone, no
    account)."""
    language = language_of(request.path_info)
    if language is not None:
        return language
    try:
        if offline:
            return translation.get_language_from_request(request)
        return reader_language(request)
    except Exception:  # a session or account that cannot be read: their browser's language
        return translation.get_language_from_request(request)


def page_before(request) -> str:
    """The page the reader came from, as a path of this site, if it is another page than this;
    else ''. Never another site's address: the link is only a way back."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    try:
        host = request.get_host()
    except Exception:  # a host we do not serve (DisallowedHost): no way back but home
        return ""
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={host}):
        return ""
    parts = urlsplit(referer)
    if not parts.path.startswith("/") or parts.path == request.path:
        return ""
    return urlunsplit(("", "", parts.path, parts.query, ""))


def search_words(request) -> str:
    """The words of a missing page's address, to search for: /en/publications/gold-study/
    gives "gold study"."""
    segments = [segment for segment in request.path_info.split("/") if segment]
    if not segments:
        return ""
    words = segments[-1].rsplit(".", 1)[0].replace("-", " ").replace("_", " ").strip()
    return "" if words.isdigit() else words[:100]


def plain_page(language: str, status: int) -> str:
    """The page sent when the designed one could not be made."""
    words = {
        400: _("This request could not be understood."),
        403: _("You may not see this page."),
        404: _("There is no page at this address."),
        500: _("Something went wrong on our side. Please try again later."),
        503: _("It cannot reach its database just now. Please try again in a minute."),
    }.get(status, _("Something went wrong on our side. Please try again later."))
    return (
        f'<!doctype html><html lang="{escape(language)}"><meta charset="utf-8">'
        f"<title>{status} · ASM-PACE</title><h1>ASM-PACE</h1><p>{escape(words)}</p>"
        f'<p><a href="/{escape(language)}/">{escape(_("Home page"))}</a></p></html>'
    )
