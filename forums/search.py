"""Finding posts in the dialogue: full-text search on PostgreSQL, a plain fallback on SQLite.

As in the library, each post has a stored tsvector, GIN-indexed on
PostgreSQL (migration 0002), built with the configuration of its own language: the thread's
title weighs more (A) than the post's text (B). A query is tried in English, in French and
unstemmed, so that "mining" finds "mines" in an English post and "minier" finds "minière" in a
French one. Snippets come from ts_headline, escaped before they are marked (core.search).

Only approved posts of visible threads, in the forums permissions.visible_forum_ids(user)
allows, are ever searched: a restricted forum does not exist for those outside it.
"""

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.utils.text import Truncator

from core.search import (
    START,
    STOP,
    Found,
    InOrder,
    headline,
    mark,
    parsed,
    plain_passage,
    terms,
    uses_postgres,
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


# 25 pages of results. Finding the newest matches walks the posts newest first until it has them
# all: for a phrase in 5 % of the posts, 500 matches are 10,000 posts walked (about 6 ms).
RANKED_AT_MOST = 500


QUERY_CONFIGS = ("english", "french", "simple")  # every query is tried in each


def searchable(user):
    """The posts anyone may find: approved, in visible threads of the forums this user sees."""
    return Post.objects.public().filter(
        thread__forum_id__in=sorted(permissions.visible_forum_ids(user))
    )


# One statement: the newest matches (the planner walks the posts newest first and tests each
# vector, or takes a rare word's few posts from the GIN index), their count, and the page asked
# for ranked among them. Only ids go back: the page's posts are then read with their snippets.
RANKED_SQL = """
WITH newest AS MATERIALIZED ({newest})
SELECT (SELECT count(*) FROM newest), ARRAY(
    SELECT id FROM newest
    ORDER BY ts_rank(search_vector, %s::tsquery) DESC, created_at DESC, id DESC
    LIMIT %s OFFSET %s
)
"""


def as_results(posts):
    """Posts with what a result shows (thread, forum, author), without what it never shows."""
    return posts.select_related("thread__forum", "author").defer(*LARGE_FIELDS)


def matching(user, query: str, *, offset: int = 0, limit: int | None = None):
    """The posts this user may see that match a query typed by a person, best first.

    On PostgreSQL: the newest RANKED_AT_MOST matches, ranked (ranking reads every match's
    vector, so a word in most posts would rank them all; the newest are also what a reader of a
    dialogue looks for), as an InOrder holding the `limit` posts from `offset` (all without a
    limit), each with `headline`, ts_headline of its text. Elsewhere a queryset, newest first.
    """
    visible = searchable(user)
    if uses_postgres(visible):
        tsquery = parsed(query, QUERY_CONFIGS, visible.db)
        nothing = InOrder(Post.objects.none(), Found([], 0, offset))
        if tsquery is None:  # no word in it, in any configuration
            return nothing
        newest = (
            visible.filter(search_vector=tsquery)
            .order_by("-pk")
            .values("id", "created_at", "search_vector")[:RANKED_AT_MOST]
        )
        try:
            newest_sql, newest_params = newest.query.sql_with_params()
        except EmptyResultSet:  # no forum this reader may see
            return nothing
        with connections[visible.db].cursor() as cursor:
            cursor.execute(
                RANKED_SQL.format(newest=newest_sql),
                (*newest_params, tsquery.text, limit, offset),
            )
            count, ids = cursor.fetchone()
        snippet = headline(
            without_markers("body"), tsquery, config=search_config(), max_words=35, min_words=15
        )
        shown = as_results(Post.objects).annotate(headline=snippet)
        return InOrder(shown, Found(ids, count, offset))
    words = terms(query)
    if not words:
        return visible.none()
    posts = as_results(visible)
    for word in words:
        posts = posts.filter(Q(body__icontains=word) | Q(thread__title__icontains=word))
    return posts.order_by("-created_at", "-pk")


def count(posts) -> int:
    """How many posts `matching` found, without another query when it knows."""
    return len(posts) if isinstance(posts, InOrder) else posts.count()


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
