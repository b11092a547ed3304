"""Finding posts in the dialogue: full-text search on PostgreSQL, a plain fallback on SQLite.

As in the library, each post has a stored tsvector, GIN-indexed on
PostgreSQL (migration 0002), built with the configuration of its own language: the thread's
title weighs more (A) than the post's text (B). A query is tried in English, in French and
unstemmed, so that "mining" finds "mines" in an English post and "minier" finds "minière" in a
French one. Snippets come from ts_headline, escaped before they are marked (core.search).

Only approved posts of visible threads, in the forums permissions.visible_forum_ids(user)
allows, are ever searched: a restricted forum does not exist for those outside it.
"""

from django.contrib.postgres.search import SearchRank, SearchVector
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.utils.text import Truncator

from core.search import (
    START,
    STOP,
    headline,
    mark,
    plain_passage,
    terms,
    uses_postgres,
    websearch,
    without_markers,
)

from . import permissions
from .models import Post, PostLanguage, Thread

CONFIGS = {PostLanguage.ENGLISH: "english", PostLanguage.FRENCH: "french"}
SNIPPET_WORDS = 40
LARGE_FIELDS = (
    "search_vector",
    "body_html",
    "thread__context",
    "thread__context_html",
    "thread__outcome",
    "thread__outcome_html",
)


def search_config():
    """The text-search configuration of each post's own language; unstemmed when unknown."""
    whens = [When(language=language, then=Value(name)) for language, name in CONFIGS.items()]
    return Case(*whens, default=Value("simple"))


def index_post(post_id: int) -> None:
    index_posts([post_id])


def index_posts(ids) -> None:
    """Rebuild the search vectors of these posts in one UPDATE (PostgreSQL only)."""
    posts = Post.objects.filter(pk__in=list(ids))
    if not uses_postgres(posts):
        return
    title = Subquery(Thread.objects.filter(pk=OuterRef("thread_id")).values("title")[:1])
    config = search_config()
    posts.update(
        search_vector=SearchVector(title, weight="A", config=config)
        + SearchVector("body", weight="B", config=config)
    )


RANKED_AT_MOST = 1000


def postgres_query(query: str):
    return websearch(query, ("english", "french", "simple"))


def searchable(user):
    """The posts anyone may find: approved, in visible threads of the forums this user sees."""
    return Post.objects.public().filter(
        thread__forum_id__in=sorted(permissions.visible_forum_ids(user))
    )


def matching(user, query: str):
    """The posts this user may see that match a query typed by a person, best first.

    On PostgreSQL each post also carries `headline` (ts_headline of its text): PostgreSQL puts
    off such costly expressions until after ORDER BY ... LIMIT, so only a page's posts pay it.
    """
    posts = (
        searchable(user)
        .select_related("thread__forum", "author")
        .defer(*LARGE_FIELDS)  # what a result never shows
    )
    if uses_postgres(posts):
        tsquery = postgres_query(query)
        # Ranking reads every match's vector: a word in most posts would rank them all. Only the
        # newest matches are ranked, which is also what a reader of a dialogue looks for.
        # The newest matches are found once, by id: the count and the ranked page then select
        # among these ids instead of matching again.
        newest = list(
            posts.filter(search_vector=tsquery)
            .order_by("-pk")
            .values_list("pk", flat=True)[:RANKED_AT_MOST]
        )
        ranked = (
            Post.objects.filter(pk__in=newest)
            .select_related("thread__forum", "author")
            .defer(*LARGE_FIELDS)
            .annotate(
                rank=SearchRank(F("search_vector"), tsquery),
                headline=headline(
                    without_markers("body"),
                    tsquery,
                    config=search_config(),
                    max_words=35,
                    min_words=15,
                ),
            )
            .order_by("-rank", "-created_at", "-pk")
        )
        ranked.found_count = len(newest)  # known already: counting would be another query
        return ranked
    words = terms(query)
    if not words:
        return posts.none()
    for word in words:
        posts = posts.filter(Q(body__icontains=word) | Q(thread__title__icontains=word))
    return posts.order_by("-created_at", "-pk")


def count(posts) -> int:
    """How many posts `matching` found, without another query when it knows."""
    known = getattr(posts, "found_count", None)
    return posts.count() if known is None else known


def with_snippets(posts, query: str) -> list:
    """The posts of a page, each with `snippet`: its words around those searched for, marked."""
    posts = list(posts)
    words = terms(query)
    for post in posts:
        passage = getattr(post, "headline", None)
        if passage is not None:
            post.snippet = mark(passage)
        else:
            body = post.body.replace(START, "").replace(STOP, "")
            post.snippet = plain_passage(body, words) or mark(Truncator(body).words(SNIPPET_WORDS))
    return posts
