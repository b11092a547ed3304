import contextlib

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Page

# The links hold each language's addresses (/fr/pages/…): "links", not the "pages" kept before
# addresses had a language.
NAVIGATION_CACHE_KEYS = [f"portal:footer-links:{code}" for code, _name in settings.LANGUAGES]

# The ways into the portal, shown once the app behind each one exists.
WAYS_IN = (
    (
        "publications:list",
        _("Studies and tools"),
        _("The global study, four case studies and a toolkit, free to download."),
    ),
    (
        "sites:list",
        _("Case-study sites"),
        _("The protected areas where the programme worked, on a map."),
    ),
    (
        "forums:index",
        _("Dialogue"),
        _("Moderated threads where miners, communities, governments, NGOs and companies talk."),
    ),
)


def available_ways_in():
    ways = []
    for url_name, title, text in WAYS_IN:
        try:
            ways.append({"url": reverse(url_name), "title": title, "text": text})
        except NoReverseMatch:
            continue
    return ways


def footer_pages(language):
    """(title, url) of the pages linked in the footer; cached until a page changes."""
    key = f"portal:footer-links:{language}"
    try:
        links = cache.get(key)
    except Exception:  # the cache is down: read the pages, as on a first visit
        links = None
    if links is None:
        pages = Page.objects.in_language(language)
        links = [(page.title, page.get_absolute_url()) for page in pages if page.in_footer]
        with contextlib.suppress(Exception):
            cache.set(key, links, timeout=None)
    return links
