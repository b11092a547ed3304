"""Signed-in readers' pages, made once for everyone who would be shown the same page.

A thread page shows a stakeholder without a role the same posts, buttons and links as it shows
every other such stakeholder who reads it at the same address (which says its language, /en/…
or /fr/…: core.addresses): only the form's CSRF token and whether they follow the thread are
theirs. So a view that shares its page (`SharedPageMixin`)
is rendered once per *audience*, with a marked hole where each reader's own part goes, and kept
as for visitors (core.pagecache: never stale, same versions and tags). The next reader of that
audience gets the kept page with their holes filled: their CSRF token (`csrf_hole`, a context
processor) and whatever the view asked for with `hole()`, such as the subscription form.

The audience is what, of a reader, changes the pages they are shown. Apps above answer
`audience` for their pages: accounts whether the reader may take part, forums their stakeholder
group (restricted forums admit groups). An app answers PERSONAL for a reader whose pages are
theirs alone: anyone with a role (staff, a group, a permission: moderators see controls), a
suspended reader, a reader with a post or thread waiting (they see it, others do not). Their
pages are made for them on every request, as before. So are the pages of a reader named by
`personal_to()`: a thread page's authors, who see "Edit" on their own posts.

A hole that appears many times on a page ("N new" beside each thread of a forum) is *prepared*:
its fill is told every argument of the page at once, to read what they need in one query, and
it is filled once the page is made even when the page is the reader's alone.

Never another's: what is kept was made for an audience, never a person; a hole is filled anew
for each reader; a page that showed flash messages or used a CSP nonce is not kept; a reader
with messages waiting is not served a kept page. Visitors' pages live under other keys
(core.pagecache), and only requests without a session read them.
"""

import hashlib
import re

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_cache_control

from . import pagecache
from .hooks import Hook

audience = Hook(
    "What, of this signed-in reader, changes the shared pages they are shown? "
    "A short text, or PERSONAL for a reader whose pages are theirs alone."
)
PERSONAL = object()
HIT = "shared"
HOLES = {}
PREPARES = {}
FACTS = {}
FACT_TAGS = {}
_SECRET = hashlib.sha256(f"holes {settings.SECRET_KEY}".encode()).hexdigest()[:20]
# Private-use characters around a secret: no escaping changes them and no reader can type them.
_MARKER = re.compile(f"\ue000{_SECRET}:([a-z-]+):([^\ue001]*)\ue001".encode())


def fills(name, *, prepare=None):
    """Register fill(request, argument) -> str: what the hole `name` holds for this reader.

    A hole that appears many times on a page (one per thread of a list) gives `prepare(request,
    arguments)`, called once with all the page's arguments before any is filled: it reads what
    they all need at once, for `fill` to find on the request."""

    def register(fill):
        HOLES[name] = fill
        if prepare is not None:
            PREPARES[name] = prepare
        return fill

    return register


def hole(request, name, argument=""):
    """A reader's own part of a page: marked, in a page made for an audience; filled now,
    in a page made for this reader alone, unless the hole is prepared: then it is filled once
    the page is made, with the page's others (the middleware's `fill`)."""
    shared = getattr(request, "_shared_page", None)
    if shared or (name in PREPARES and request.user.is_authenticated):
        if not shared:
            request._holes_later = True
        return f"\ue000{_SECRET}:{name}:{argument}\ue001"
    return HOLES[name](request, argument)


@fills("csrf")
def _csrf_token(request, argument):
    """One masked token for all the page's forms, as Django's context processor gives."""
    if not hasattr(request, "_page_csrf_token"):
        request._page_csrf_token = get_token(request)
    return request._page_csrf_token


def csrf_hole(request):
    """Context processor, after Django's: a shared page's forms carry each reader's token."""
    if getattr(request, "_shared_page", None):
        return {"csrf_token": hole(request, "csrf")}
    return {}


def personal_to(request, user_ids):
    """The page shows these readers something of their own: it is never kept for them, nor
    served to them from what was kept."""
    request._page_personal_to = frozenset(user_ids)


def remembers(name, *, tag=None):
    """Register compute(user) -> a fact about a reader that their shared pages need (what they
    follow, for the subscription forms' holes). Every fact is kept with their audience, in one
    entry: one cache read per page for all of them.

    A fact that changes more often than what the person tag stands for gives `tag(user_id)`,
    a tag of its own that its app bumps (their unread notices): bumping it recomputes the
    reader's facts, and leaves the pages tagged with their person tag alone."""

    def register(compute):
        FACTS[name] = compute
        if tag is not None:
            FACT_TAGS[name] = tag
        return compute

    return register


def fact_of(user, name):
    """A fact about this reader, their audience included. All of them are kept in one entry,
    until something of theirs changes (the tag `person_tag`) or "content" does (roles and
    groups, whose changes bump it). Without a page cache, only the fact asked for is computed."""
    if not hasattr(user, "_page_facts"):
        user._page_facts = {}
        if settings.PAGE_CACHE_SECONDS:
            user._page_facts = facts_kept(user.pk, lambda: all_facts(user))
    if name not in user._page_facts:
        user._page_facts[name] = FACTS[name](user)
    return user._page_facts[name]


def all_facts(user) -> dict:
    return {name: compute(user) for name, compute in FACTS.items()}


def facts_kept(user_id, compute):
    """The entry of a reader's facts, compute() if it is not kept. Named with the secret key too:
    a fact may be derived from it (accounts keeps the session's hash)."""
    tags = (person_tag(user_id), *(tag(user_id) for tag in FACT_TAGS.values()))
    return pagecache.kept(f"person:{user_id}:{_SECRET}", tags=tags, compute=compute)


def audience_of(user):
    """The key part shared by everyone shown the same pages as this user; None if theirs alone."""
    return fact_of(user, "audience") or None


def person_tag(user_id):
    """The tag of what, about one person, decides their audience: apps bump it when it changes."""
    return f"person:{user_id}"


@remembers("audience")
def _asked(user):
    parts = audience.ask(user)
    return "" if PERSONAL in parts else " ".join(parts)


class MemberPageCacheMiddleware:
    """Serves and keeps shared pages for signed-in readers. Goes last in MIDDLEWARE: it needs
    the session, the user, the language and the messages, and answers in place of the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "_shared_page", None):
            if getattr(request, "_holes_later", False) and not response.streaming:
                response.content = fill(request, _MARKER.split(response.content))
            return response
        key, request._shared_page = request._shared_page, None  # holes are filled from here
        if response.streaming:
            return response
        parts = _MARKER.split(response.content)
        if self.storable(request, response):
            kept = (list(response.items()), parts, _readers_apart(request))
            pagecache.write(key, request._page_cache_versions, kept)
        if len(parts) > 1:
            response.content = fill(request, parts)
        patch_cache_control(response, private=True)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        key = self.key(request, view_func, view_args, view_kwargs)
        if key is None:
            return None
        found = pagecache.read(key)
        if found is not None:
            headers, parts, personal = found
            if request.user.pk in personal:
                return None
            response = HttpResponse(fill(request, parts), headers=dict(headers))
            response[pagecache.HIT_HEADER] = HIT
            patch_cache_control(response, private=True)
            return response
        request._shared_page = key
        # Made for an audience, so in UTC whatever the reader's zone: the page's script shows
        # its times in each reader's (core.templatetags.times).
        timezone.deactivate()
        return None

    def key(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "view_class", None)
        if (
            not settings.PAGE_CACHE_SECONDS
            or request.method != "GET"
            or view_class is None
            or not issubclass(view_class, pagecache.SharedPageMixin)
            or not request.user.is_authenticated
        ):
            return None
        view = view_class(**view_func.view_initkwargs)
        view.setup(request, *view_args, **view_kwargs)
        if not view.page_cacheable() or _has_messages(request):
            return None
        group = audience_of(request.user)
        path = request.get_full_path()
        if group is None or len(path) > 1000:
            return None
        what = f"{request.scheme}://{request.get_host()}{path} {request.LANGUAGE_CODE} {group}"
        return "member-page:" + hashlib.sha256(what.encode()).hexdigest()

    def storable(self, request, response):
        return (
            hasattr(request, "_page_cache_versions")
            and response.status_code == 200
            and not response.cookies
            and request.user.pk not in _readers_apart(request)
            and getattr(request, "_csp_nonce", None) is None
            and not _has_messages(request)
        )


def _readers_apart(request):
    return getattr(request, "_page_personal_to", frozenset())


def _has_messages(request):
    messages = getattr(request, "_messages", None)
    return messages is not None and len(messages) > 0


def fill(request, parts):
    """The page for this reader: the kept text with each hole filled (parts alternate text,
    hole name, argument, text...)."""
    arguments = {}
    for index in range(1, len(parts), 3):
        arguments.setdefault(parts[index].decode(), []).append(parts[index + 1].decode())
    for name, given in arguments.items():
        if name in PREPARES:
            PREPARES[name](request, given)
    pieces = []
    for index, part in enumerate(parts):
        if index % 3 == 0:
            pieces.append(part)
        elif index % 3 == 1:
            name, argument = part.decode(), parts[index + 1].decode()
            pieces.append(HOLES[name](request, argument).encode())
    return b"".join(pieces)
