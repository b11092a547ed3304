"""Whole pages for visitors, from the cache: never stale, never somebody else's.

Most readers are visitors, and a visitor's page is the same for every visitor who reads it at
the same address, which says its language (core.addresses). A view that says so
(`SharedPageMixin`) is rendered once; the next visitor gets the stored bytes, already gzipped,
for about what a bare Django view costs.

Never stale. A page records the versions of the tags it was made from: "content" (pages,
studies, sites, forums, people's names: everything rarely written), and what the view names,
such as "dialogue" or "thread:12". Every write bumps the tags it touches: a model's save or
delete does it through signals (`watch` says which tags a model touches; a model nobody named
bumps "content"), and a service that writes with `QuerySet.update()` calls `bump` itself. A
page is served only while all its versions are current. The versions are read before the view
reads the database, and a bump happens at the write and again once its transaction commits, so
a page made while a write was committing is stored under versions that are already old.

Never another's. Only a request with no session, no messages cookie and no Authorization header
reads or fills the cache, and only an answer that set no cookie is stored: a form's CSRF token
sets one, so a page with a token is never stored. A page whose Content-Security-Policy carries a
nonce is not stored either (a nonce must never be shared). A signed-in person's request never
touches the cache, so their page cannot reach a visitor, nor a visitor's reach them.

The key holds the scheme, host, path and query, and whether the visitor accepts gzip; the
answer says so in `Vary: Accept-Encoding, Cookie`. The path's prefix is the page's language
(/en/…, /fr/…), whatever the language cookie or Accept-Language say, so one key holds one
language. Only addresses in a language are kept: an old address without one answers a redirect
that depends on the reader (core.addresses), and is never looked up nor stored.

If the cache cannot be reached the page is made as if nothing were cached; a bump that failed is
tried again at this process's next request.
"""

import contextlib
import hashlib
import logging
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .addresses import language_of
from .cache import failed
from .health import HEALTH_PATH

logger = logging.getLogger(__name__)

CONTENT = "content"
HIT_HEADER = "X-Page-Cache"
LOOKED_UP = "asmpace.page_cache_key"  # in the WSGI environ: the key looked up, found empty
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Apps whose rows no page shows: sessions, the admin's history, allauth's records, the outbox.
UNSHOWN_APPS = {"sessions", "admin", "contenttypes", "account", "mfa", "socialaccount", "outbox"}
WATCHED = {}
_unsent_bumps = set()


def watch(model, tags_of):
    """Bump tags_of(instance, **signal arguments) whenever a row of model changes."""
    WATCHED[model] = tags_of


def unshown(*models):
    """Rows that no cached page shows: their writes bump nothing."""
    for model in models:
        WATCHED[model] = lambda instance, **kwargs: ()


def bump(*tags):
    """Pages made from these tags are out of date: now, and again when the write commits."""
    _new_versions(tags)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        connection.on_commit(lambda: _new_versions(tags), robust=True)


def after_migrate(sender, **kwargs):
    """Every deploy runs `migrate`: what the code before it made (a page, a post's HTML) may not
    be what this code makes (a new layout), so every page and fragment is made again."""
    bump(CONTENT)


def _new_versions(tags):
    try:
        cache.set_many({_version_key(tag): uuid.uuid4().hex for tag in tags}, timeout=None)
    except Exception:
        _unsent_bumps.update(tags)
        failed(logger, "The page cache could not be told of a change to %s", tags)


def _version_key(tag):
    return f"page-version:{tag}"


def changed(sender, instance=None, created=False, update_fields=None, action=None, **kwargs):
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed fires before and after; the "post_" signal is the write
    if sender in WATCHED:
        tags = WATCHED[sender](instance, created=created, update_fields=update_fields)
    elif sender._meta.app_label in UNSHOWN_APPS:
        return
    else:
        tags = (CONTENT,)
    if tags:
        bump(*tags)


def connect_signals():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(changed, dispatch_uid=f"pagecache-{signal}")


def current_versions(tags):
    """{version key: version} of "content" and these tags; None if the cache cannot say, or
    is off (PAGE_CACHE_SECONDS = 0)."""
    if not settings.PAGE_CACHE_SECONDS:
        return None
    keys = [_version_key(tag) for tag in (CONTENT, *tags)]
    try:
        versions = cache.get_many(keys)
        if len(versions) < len(keys):
            for key in set(keys) - set(versions):
                cache.add(key, uuid.uuid4().hex, timeout=None)
            versions = cache.get_many(keys)  # another process may have added its own first
    except Exception:
        failed(logger, "The page cache could not be read")
        return None
    return versions


class KeptInProcess:
    """What a function reads from the database, kept by this process while "content" is
    unchanged (a catalogue, a vocabulary): read again at the first call after a change, and at
    every call when no cache can say whether anything changed."""

    def __init__(self, read):
        self.read = read
        self.kept = (None, None)

    def __call__(self):
        versions = current_versions(())  # before reading: a change meanwhile bumps it
        kept_versions, value = self.kept
        if value is None or versions is None or versions != kept_versions:
            value = self.read()
            self.kept = (versions, value)
        return value


def depends_on(request, *tags):
    """Called by a view before it reads anything: the page shows these tags (and "content")."""
    if hasattr(request, "_page_cache_key") or getattr(request, "_shared_page", None):
        versions = current_versions(tags)
        if versions is not None:
            request._page_cache_versions = versions


def kept(name, *, tags, compute):
    """compute(), kept in the cache while the tags' versions (and "content") are current: for
    figures every reader sees, such as the library's facet counts. One round trip when kept."""
    key = "kept:" + hashlib.sha256(name.encode()).hexdigest()
    value = read(key)
    if value is None:
        versions = current_versions(tags)  # before compute() reads the database
        value = compute()
        if versions:
            write(key, versions, value)
    return value


def fragments(items, *, template, tags, context, versions=None):
    """{item.pk: template rendered with context(item)}, for everyone who reads these items: kept
    in the cache while the tags' versions (and "content") are current, like a visitor's page.

    For the parts of a signed-in reader's page that are the same for every reader, such as a
    post; the template sees what context(item) gives and nothing of the request. context is
    called only for what is not in the cache. Items read from the database before this call
    need `versions`, taken with current_versions(tags) before they were read."""
    if versions is None:
        versions = current_versions(tags)
    stamp = "".join(versions[key] for key in sorted(versions)) if versions else None
    # Rendered in this language, with its links to this language's addresses (/fr/…): "/fr/"
    # keeps them apart from what was kept when addresses had no language.
    language = get_language()
    keys = {f"fragment:{template}:{item.pk}:/{language}/:{stamp}": item for item in items}
    found = {}
    if stamp:
        with contextlib.suppress(Exception):
            found = cache.get_many(list(keys))
    made = {
        key: render_to_string(template, context(item))
        for key, item in keys.items()
        if key not in found
    }
    if made and stamp:
        with contextlib.suppress(Exception):
            cache.set_many(made, settings.PAGE_CACHE_SECONDS)
    return {item.pk: mark_safe(found.get(key) or made[key]) for key, item in keys.items()}  # noqa: S308 - rendered by our template


_version_keys_of = {}  # {page key: its tags' version keys}, learnt from the pages read


def read(key):
    """What is stored at key, if every version it was made from is current; else None."""
    if not settings.PAGE_CACHE_SECONDS:
        return None
    try:
        entry, current = _entry_and_versions(key)
        if entry is None or current != entry[0]:
            return None
        return entry[1]
    except Exception:
        failed(logger, "The page cache could not be read")
        return None


def _entry_and_versions(key):
    """The entry and the current versions of its tags: in one round trip once this process has
    seen which tags the entry at that key depends on."""
    version_keys = _version_keys_of.get(key)
    if version_keys is None:
        entry = cache.get(key)
        if entry is None:
            return None, None
        version_keys = list(entry[0])
        if len(_version_keys_of) > 50_000:
            _version_keys_of.clear()
        _version_keys_of[key] = version_keys
        return entry, cache.get_many(version_keys)
    found = cache.get_many([key, *version_keys])
    entry = found.pop(key, None)
    if entry is not None and list(entry[0]) != version_keys:
        _version_keys_of.pop(key)
        found = cache.get_many(list(entry[0]))
    return entry, found


def write(key, versions, value):
    """Keep value at key, as made from these versions of its tags."""
    try:
        cache.set(key, (versions, value), settings.PAGE_CACHE_SECONDS)
    except Exception:
        failed(logger, "The page cache could not be written")


class SharedPageMixin:
    """For a view whose page depends only on its URL and language, for a visitor, and also on
    the reader's audience and holes, for a signed-in reader (core.memberpages)."""

    def page_tags(self):
        return ()

    def page_cacheable(self):
        return True

    def dispatch(self, request, *args, **kwargs):
        if self.page_cacheable():
            depends_on(request, *self.page_tags())
        return super().dispatch(request, *args, **kwargs)


def send_unsent_bumps():
    if _unsent_bumps:
        tags = tuple(_unsent_bumps)
        _unsent_bumps.clear()
        _new_versions(tags)


def send_unsent_bumps_after_task(**signal_arguments):
    send_unsent_bumps()


class VisitorPageCacheApplication:
    """Wraps the WSGI application: a visitor's cached page is answered before Django's handler,
    its signals and middleware run, for about what a bare Django view costs and one Redis read.
    What it does not find, Django makes, and the middleware below stores."""

    def __init__(self, application):
        self.application = application
        self.reader = VisitorPageCacheMiddleware(application)
        self.passed_by = (settings.STATIC_URL, HEALTH_PATH)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or path.startswith(self.passed_by):
            return self.application(environ, start_response)
        send_unsent_bumps()
        request = WSGIRequest(environ)
        key = self.reader.key(request)
        found = self.reader.headers_and_body(key) if key else None
        if found is None:
            environ[LOOKED_UP] = key
            return self.application(environ, start_response)
        headers, body = found
        start_response("200 OK", headers)
        return [body]


class VisitorPageCacheMiddleware:
    """Serves and stores visitors' pages. Goes before the security, compression and static-file
    middleware: what is stored is what was sent, its headers and gzip included, and static
    files pass by untouched."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.blocking_cookies = (settings.SESSION_COOKIE_NAME, "messages")

    def __call__(self, request):
        send_unsent_bumps()
        if LOOKED_UP in request.META:  # by VisitorPageCacheApplication, which found nothing
            key = request.META[LOOKED_UP]
        else:
            key = self.key(request)
            cached = self.cached(key) if key else None
            if cached is not None:
                return cached
        if key is None:
            return self.get_response(request)
        request._page_cache_key = key
        response = self.get_response(request)
        if self.storable(request, response):
            patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
            self.store(key, request._page_cache_versions, response)
        return response

    def key(self, request):
        if (
            not settings.PAGE_CACHE_SECONDS
            or request.method != "GET"
            or "HTTP_AUTHORIZATION" in request.META
            or request.path.startswith(settings.STATIC_URL)
        ):
            return None
        if any(name in request.COOKIES for name in self.blocking_cookies):
            return None
        if language_of(request.path_info) is None:
            return None  # an old address (a redirect per reader) or a machine's: not a page
        path = request.get_full_path()
        if len(path) > 1000:
            return None
        try:
            host = request.get_host()
        except DisallowedHost:
            return None
        gzip = bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
        # The address says the language: the cookie and Accept-Language change nothing.
        what = f"{request.scheme}://{host}{path} {gzip}"
        return "page:" + hashlib.sha256(what.encode()).hexdigest()

    def cached(self, key):
        found = self.headers_and_body(key)
        if found is None:
            return None
        headers, body = found
        response = HttpResponse(body)
        for name, value in headers:
            response.headers[name] = value
        return response

    def headers_and_body(self, key):
        """The stored page's headers (marked as a hit) and body, if its versions are current."""
        found = read(key)
        if found is None:
            return None
        headers, body = found
        return [*headers, (HIT_HEADER, "hit")], body

    def storable(self, request, response):
        user = getattr(request, "user", None)
        policy = response.get("Content-Security-Policy", "")
        return (
            hasattr(request, "_page_cache_versions")
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and user is not None
            and not user.is_authenticated
            and "nonce-" not in policy
            and "private" not in response.get("Cache-Control", "")
        )

    def store(self, key, versions, response):
        write(key, versions, (list(response.items()), response.content))
