"""Each language has its own addresses: /en/… and /fr/… (i18n_patterns in asmpace/urls.py).

A page's address says its language, whatever the reader's cookie or browser says: a link opens in
the language it was shared in, search engines index each language, and a cache keyed on the
address holds one language under each key. The machines' addresses (/admin/, /healthz, /static/,
/sitemap.xml, /robots.txt) have no language.

An old address, without a language (/forums/, /publications/<slug>/, /), answers a permanent
redirect to the same page in the reader's language: their language cookie, else their account's
preferred language, else their browser's Accept-Language, else English; the query is kept. It is
301 for GET and HEAD, 308 for any other method, which the browser sends again with its body to
the new address: a form posted from a page made before the change loses nothing. The redirect
says `Vary: Accept-Language, Cookie` and no page cache keeps it (core.pagecache only keeps the
addresses of a language). It is answered before the view, the URL's 404 page or anything else of
the request is made.

The helpers below move a path between languages by its prefix alone: no resolving, no query.
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.auth import get_user
from django.http import HttpResponsePermanentRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
# What is kept of a query in the addresses of a page's other languages: the page of a list is
# the same page in every language; a search or a filter is not a page to index (they say
# noindex), and a token belongs to one reader.
KEPT_IN_ALTERNATES = ("page",)


def language_of(path: str) -> str | None:
    """The language a path (without the script prefix) is in, from its first segment; None for an
    address without one."""
    first = path[1:].partition("/")[0]
    return first if first in LANGUAGE_CODES and path.startswith("/") else None


def unprefixed(path: str) -> str:
    """The path without its language: the address that sends each reader to their language."""
    language = language_of(path)
    return path[len(language) + 1 :] if language else path


def in_language(path: str, language: str) -> str:
    """The path in another language, if it is in one; else unchanged (/admin/, /healthz)."""
    current = language_of(path)
    if current is None or current == language:
        return path
    return f"/{language}{path[len(current) + 1 :]}"


def url_in_language(url: str, language: str) -> str:
    """An address (absolute or a path, with a query and fragment) in another language, if it is
    one of this site's addresses in a language; else unchanged."""
    parts = urlsplit(url)
    script_prefix = get_script_prefix().rstrip("/")
    if not parts.path.startswith(f"{script_prefix}/"):
        return url
    path = in_language(parts.path[len(script_prefix) :], language)
    return urlunsplit(parts._replace(path=script_prefix + path))


def url_unprefixed(url: str) -> str:
    """An address (absolute or a path) without its language."""
    parts = urlsplit(url)
    script_prefix = get_script_prefix().rstrip("/")
    if not parts.path.startswith(f"{script_prefix}/"):
        return url
    path = unprefixed(parts.path[len(script_prefix) :])
    return urlunsplit(parts._replace(path=script_prefix + path))


def reader_language(request) -> str:
    """The language to send a reader of an old address to: their language cookie, else their
    account's preferred language, else Accept-Language, else LANGUAGE_CODE."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie:
        try:
            return translation.get_supported_language_variant(cookie)
        except LookupError:
            pass  # a cookie nobody of ours wrote
    if settings.SESSION_COOKIE_NAME in request.COOKIES and hasattr(request, "session"):
        user = getattr(request, "user", None) or get_user(request)
        preferred = getattr(user, "preferred_language", "")  # accounts' User
        if preferred in LANGUAGE_CODES:
            return preferred
    # The cookie was absent or unknown: Django reads Accept-Language, then LANGUAGE_CODE.
    return translation.get_language_from_request(request)


class LanguageAddressMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, whose redirect of an old address is permanent, keeps a form's
    method and body (308), follows the reader's account too, and is made before the view."""

    response_redirect_class = HttpResponsePermanentRedirect

    def process_request(self, request):
        language, target = self.new_address(request)
        if target is None:
            return super().process_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        redirect = self.response_redirect_class(
            target, preserve_request=request.method not in ("GET", "HEAD")
        )
        patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
        return redirect

    def new_address(self, request):
        """(language, the address in it) for an old address of a page; (None, None) otherwise."""
        path = request.path_info
        if language_of(path) is not None:
            return None, None
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        i18n_patterns_used, _prefixed = is_language_prefix_patterns_used(urlconf)
        if not i18n_patterns_used or is_valid_path(path, urlconf):
            return None, None  # the machines' addresses
        language = reader_language(request)
        language_path = f"/{language}{path}"
        needs_slash = False
        # i18n_patterns match the prefix of the active language only.
        with translation.override(language):
            if not is_valid_path(language_path, urlconf):
                needs_slash = (
                    settings.APPEND_SLASH
                    and not language_path.endswith("/")
                    and is_valid_path(f"{language_path}/", urlconf)
                )
                if not needs_slash:
                    return None, None  # no such page in any language: the 404 page says so
        script_prefix = get_script_prefix()
        target = request.get_full_path(force_append_slash=needs_slash).replace(
            script_prefix, f"{script_prefix}{language}/", 1
        )
        return language, target


def alternates(request) -> str:
    """<link rel="alternate" hreflang> for the page at this address in each language, and
    x-default for its old address (which sends each reader to their language); absolute, from
    the request alone (no query). Nothing for an address without a language."""
    path = request.path_info
    language = language_of(path)
    if language is None:
        return ""
    rest = escape_uri_path(path[len(language) + 1 :])
    query = request.GET
    kept = [
        (name, query[name])
        for name in KEPT_IN_ALTERNATES
        if query.get(name, "").isdigit() and query[name].lstrip("0") not in ("", "1")
    ]
    suffix = ("?" + "&".join(f"{name}={int(value)}" for name, value in kept)) if kept else ""
    base = request.build_absolute_uri(get_script_prefix())
    links = [(code, f"{base}{code}{rest}{suffix}") for code in LANGUAGE_CODES]
    links.append(("x-default", f"{base}{rest[1:]}{suffix}"))
    return format_html_join(
        mark_safe("\n  "),
        '<link rel="alternate" hreflang="{}" href="{}">',
        links,
    )


class StableFeedIds:
    """For a syndication Feed: each entry's id is its address without a language, the same in
    every language's feed and the same as before addresses had one, so a feed reader never shows
    an entry twice. Its link is the address in the feed's language."""

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        for item in feed.items:
            if item.get("unique_id"):
                item["unique_id"] = url_unprefixed(item["unique_id"])
        return feed
