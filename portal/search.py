"""Searching the whole portal: what the portal names (topics, minerals, forums), studies,
case-study sites and the dialogue on one page, for a query expanded with the thesaurus.

Each kind is found by its own search, with what the reader may see: the library's
(publications/search.py: full text on PostgreSQL, the PDFs' text included; FTS5 on SQLite) over
the studies visible to the reader, the dialogue's (forums/search.py: approved posts of the
forums the reader sees) and a plain one over the sites' texts in the reader's language
(sites/search.matching, and sites' names in every language). A section holds its count and its
first few results; its full search is a link away. The queries are the same in number however
many things match.
"""

from dataclasses import dataclass, field
from html import unescape

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import get_language

from core.query import Query
from core.search import InOrder, mark, plain_passage, uses_postgres
from forums import search as dialogue_search
from forums.permissions import visible_forum_ids
from publications import permissions as library_permissions
from publications import search as library_search
from publications.models import Publication
from sites import search as site_search
from sites.models import Site, SiteText
from thesaurus.vocabulary import Named, current, expanded

PER_SECTION = 5
# The dialogue's section ranks the newest 100 matching posts, not the 500 of its own search (a
# link away): a common word's 500 newest matches took 5 ms to walk and rank, for five shown.
POSTS_RANKED = 100
SITES_AT_MOST = 50  # /search/?q=...&kind=sites: every site found, in one page
SNIPPET_WORDS = 30
LARGE_FIELDS = ("text",)  # what a study's result never shows

NAMED, STUDIES, SITES, DIALOGUE = "named", "studies", "sites", "dialogue"
NAMED_KINDS = ("topic", "mineral", "forum")  # sites have their section; groups only bridge


@dataclass
class Section:
    kind: str
    count: int
    results: list = field(default_factory=list)
    more_url: str = ""
    capped: bool = False  # the dialogue ranks only its newest matches (PostgreSQL)


def sections(user, query: str | Query, *, kind: str = "", per_section: int = PER_SECTION) -> list:
    """The sections that found something, in the order named things, studies, sites,
    dialogue."""
    query = expanded(query)
    if not query.asks:
        return []
    named = current().naming(query)
    if kind == SITES:
        found = [sites(user, query, named, at_most=SITES_AT_MOST)]
    else:
        found = [
            named_things(user, named, at_most=per_section * 2),
            studies(user, query, at_most=per_section),
            sites(user, query, named, at_most=per_section),
            dialogue(user, query, at_most=per_section),
        ]
    return [section for section in found if section.count]


def visible(user, named: list[Named]) -> list[Named]:
    """The named things this person may see: a forum they may read, a published site."""
    forums = sites = ()
    if any(item.kind == "forum" and not item.public for item in named):
        forums = visible_forum_ids(user)
    if any(item.kind == "site" and not item.public for item in named):
        sites = set(Site.objects.visible_to(user).values_list("pk", flat=True))
    seen = {"forum": forums, "site": sites}
    return [item for item in named if item.public or item.id in seen.get(item.kind, ())]


def named_things(user, named: list[Named], *, at_most: int) -> Section:
    """The topics, minerals and forums the query names, each a link to what is under it."""
    found = visible(user, [item for item in named if item.kind in NAMED_KINDS])
    return Section(NAMED, len(found), found[:at_most])


def more_url(name: str, query, **params) -> str:
    return f"{reverse(name)}?{urlencode({'q': str(query), **params})}"


def studies(user, query: Query, *, at_most: int) -> Section:
    """Studies the reader may see (editors: unpublished ones too), best first."""
    visible = Publication.objects.visible_to(user)
    if uses_postgres(visible):
        # Found, ranked and counted in one statement; only the first few are read.
        unpublished = library_permissions.sees_unpublished(user)
        first = library_search.found(query, unpublished=unpublished, facets=False, limit=at_most)
        found = InOrder(Publication.objects.defer(*LARGE_FIELDS), first)
        count = len(found)
    else:
        found = library_search.matching(visible, query).defer(*LARGE_FIELDS)
        count = found.count()
    if not count:
        return Section(STUDIES, 0)
    results = list(found[:at_most])
    snippets = library_search.snippets(results, query)
    for study in results:
        study.snippet = snippets.get(study.pk)
    return Section(
        STUDIES,
        count,
        results,
        more_url=more_url("publications:list", query) if count > at_most else "",
    )


def sites(user, query: Query, named: list[Named], *, at_most: int) -> Section:
    """Sites the reader may see whose text in the reader's language holds what the query asks
    for, or whose name in any language does."""
    words = query.words()
    language = (get_language() or "")[:2] or None
    by_name = [item.id for item in named if item.kind == "site"]
    visible = Site.objects.visible_to(user).with_texts(language, minerals=False)
    found = site_search.matching(visible, query, named=by_name)
    count, results = len(found), found[:at_most]
    if not count:
        return Section(SITES, 0)
    for site in results:
        site.snippet = site_snippet(site.text, words)
    more = more_url("portal:search", query, kind=SITES) if count > at_most else ""
    return Section(SITES, count, results, more_url=more)


def site_snippet(text: SiteText, words):
    summary = unescape(strip_tags(text.summary_html)).strip()
    if not summary:
        return None
    return plain_passage(summary, words) or mark(Truncator(summary).words(SNIPPET_WORDS))


def dialogue(user, query: Query, *, at_most: int) -> Section:
    """Approved posts in the forums the reader sees, best first (newest first on SQLite)."""
    found = dialogue_search.matching(user, query, limit=at_most, at_most=POSTS_RANKED)
    count = dialogue_search.count(found)
    if not count:
        return Section(DIALOGUE, 0)
    results = dialogue_search.with_snippets(found[:at_most], query)
    capped = count >= POSTS_RANKED
    return Section(
        DIALOGUE,
        count,
        results,
        more_url=more_url("forums:search", query) if count > at_most else "",
        capped=capped,
    )
