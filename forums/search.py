"""Finding posts in the dialogue: full-text search on PostgreSQL, and through FTS5 on SQLite.

As in the library, each post has a stored tsvector, GIN-indexed on PostgreSQL (migration 0002),
built with the configuration of its own language: the thread's title (and a consultation's
outcome, on its opening post) weighs more (A) than the post's text (B), read from `Post.text`:
the words a reader sees, without Markdown's syntax, which snippets then never show. A query,
expanded with the thesaurus, is tried in English, in French and unstemmed, so that "mining"
finds "mines" in an English post and "minier" finds "minière" in a French one. Snippets come
from ts_headline, escaped before they are marked (core.search). On SQLite the same texts are
rows of an FTS5 table (migration 0008), kept in step by the same `index_posts`, ranked by bm25.

Only approved posts of visible threads, in the forums permissions.visible_forum_ids(user)
allows, are ever searched: a restricted forum does not exist for those outside it.
"""

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    OuterRef,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.text import Truncator

from core.search import (
    CONFIGS,
    FRAGMENT_DELIMITER,
    START,
    STOP,
    UNSTEMMED,
    Found,
    InOrder,
    fts_match,
    headline_options,
    mark,
    parsed,
    plain_passage,
    uses_postgres,
)
from thesaurus.vocabulary import Named, expanded

from . import permissions
from .models import Forum, Post, Thread, Visibility

SNIPPET_WORDS = 40
LARGE_FIELDS = (
    "search_vector",
    "body",
    "body_html",
    "thread__context",
    "thread__context_html",
    "thread__outcome",
    "thread__outcome_html",
)
FTS_COLUMNS = ("title", "body")


def search_config():
    """The text-search configuration of each post's own language; unstemmed when unknown."""
    whens = [When(language=language, then=Value(name)) for language, name in CONFIGS.items()]
    return Case(*whens, default=Value(UNSTEMMED))


def index_post(post_id: int) -> None:
    index_posts([post_id])


def index_thread(thread: Thread) -> None:
    """After a thread's title or outcome changed: its posts' vectors hold them."""
    index_posts(thread.posts.values_list("pk", flat=True))


# SQLite: each post's row in the FTS5 table (migration 0008), its thread's title with it, and
# on a consultation's opening post the outcome, as PostgreSQL's vectors hold them. Snippets are
# made from the text stored there: without the highlight markers, which a person could type.
FTS_DELETE = "DELETE FROM forums_post_fts WHERE rowid IN ({ids})"
FTS_SQL = """
INSERT INTO forums_post_fts (rowid, title, body, lang)
SELECT p.id, t.title || CASE WHEN p.id IN ({openings}) THEN ' ' || t.outcome ELSE '' END,
    replace(replace(p.text, char(2), ''), char(3), ''), p.language
FROM forums_post p JOIN forums_thread t ON t.id = p.thread_id
WHERE p.id IN ({ids})
"""


def opening_posts_with_outcomes() -> list[int]:
    """The opening post of each consultation closed with an outcome (a few hundred at most): the
    posts whose entries hold the outcome."""
    closed = Thread.objects.exclude(outcome="").values("pk")
    firsts = {}
    rows = Post.objects.filter(thread__in=closed).order_by("thread_id", "created_at", "pk")
    for thread_id, pk in rows.values_list("thread_id", "pk"):
        firsts.setdefault(thread_id, pk)
    return list(firsts.values()) or [0]  # no post has id 0: IN () is no SQL


def index_posts(ids) -> None:
    """Rebuild the search entries of these posts: on PostgreSQL their vectors, in one UPDATE
    (the thread's title weighs A, as does a consultation's outcome on its opening post); on
    SQLite their rows of the FTS5 table."""
    ids = list(ids)
    posts = Post.objects.filter(pk__in=ids)
    openings = opening_posts_with_outcomes()
    if not uses_postgres(posts):
        with connections[posts.db].cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("%s" for _ in chunk)
                cursor.execute(FTS_DELETE.format(ids=marks), chunk)
                statement = FTS_SQL.format(ids=marks, openings=", ".join("%s" for _ in openings))
                cursor.execute(statement, [*openings, *chunk])
        return
    thread = Thread.objects.filter(pk=OuterRef("thread_id"))
    outcome = Case(
        When(pk__in=openings, then=Subquery(thread.values("outcome")[:1])),
        default=Value(""),
        output_field=TextField(),
    )
    config = search_config()
    posts.update(
        search_vector=SearchVector(
            Subquery(thread.values("title")[:1]), outcome, weight="A", config=config
        )
        + SearchVector("text", weight="B", config=config)
    )


# 25 pages of results. Finding the newest matches walks the posts newest first until it has them
# all: for a phrase in 5 % of the posts, 500 matches are 10,000 posts walked (about 6 ms).
RANKED_AT_MOST = 500


QUERY_CONFIGS = (*CONFIGS.values(), UNSTEMMED)  # every query is tried in each


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


# A query the planner cannot judge is first tested on the newest WALKED posts: walking on for
# its newest 500 matches is left to the planner if they show it would find them within
# WALK_AT_MOST posts; else they are all taken from the GIN index.
WALKED, WALK_AT_MOST = 2_000, 20_000


def ranked(visible, query, tsquery, *, limit, offset, at_most) -> tuple[int, list[int]]:
    """(count, ids) of RANKED_SQL: the planner walks the posts newest first, testing each, when
    it expects the newest 500 matches among the first few thousand posts, or takes the matches
    from the GIN index. It cannot judge a phrase among a thesaurus's alternatives: it reckons
    "artisanal mining" as common as "artisanal" and "mining", and walked all 100,000 posts for a
    concept of eight labels that no post held (600 ms, where the index answers in 5 ms)."""
    newest = visible.filter(search_vector=tsquery).order_by("-pk")
    index_only = False
    if "<" in tsquery.text and any(unit.alternatives for unit in query.units):
        # The newest WALKED posts by number, whatever their state: finding the WALKED-th newest
        # visible post walked them all once more (3 ms), for a test that needs no precision.
        newest_id = Post.objects.order_by("-pk").values("pk")[:1]
        oldest_walked = ExpressionWrapper(Subquery(newest_id) - WALKED, BigIntegerField())
        # Enough matches to walk on: counting stops there (a common phrase's first few dozen
        # posts, where counting all its matches among the WALKED read every one: 2.7 ms).
        enough = -(-at_most * WALKED // WALK_AT_MOST)
        walked = newest.filter(pk__gt=oldest_walked).values("pk")[:enough]
        with transaction.atomic(using=walked.db), connections[walked.db].cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")  # a walk, at most WALKED posts
            sql, params = walked.query.sql_with_params()
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS walked", params)  # noqa: S608
            found = cursor.fetchone()[0]
        index_only = found < enough
    columns = ("id", "created_at", "search_vector")
    return ranked_by(
        newest.values(*columns)[:at_most], tsquery, limit, offset, index_only=index_only
    )


def ranked_by(newest, tsquery, limit, offset, *, index_only=False):
    sql, params = newest.query.sql_with_params()
    statement, params = RANKED_SQL.format(newest=sql), (*params, tsquery.text, limit, offset)
    connection = connections[newest.db]
    if not index_only:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchone()
    with transaction.atomic(using=newest.db), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(statement, params)
        return cursor.fetchone()


def matching(
    user, query: str, *, offset: int = 0, limit: int | None = None, at_most: int | None = None
) -> InOrder:
    """The posts this user may see that match a query typed by a person (expanded with the
    thesaurus), best first: the newest `at_most` (RANKED_AT_MOST) matches, ranked (ranking
    reads every match's vector, so a word in most posts would rank them all; the newest are
    also what a reader of a dialogue looks for), holding the `limit` posts from `offset` (all
    without a limit), each with `headline`, the passage of its text around the words found."""
    visible = searchable(user)
    at_most = at_most or RANKED_AT_MOST
    nothing = InOrder(Post.objects.none(), Found([], 0, offset))
    query = expanded(query)
    if not uses_postgres(visible):
        return fts_matching(visible, query, offset=offset, limit=limit, at_most=at_most) or nothing
    tsquery = parsed(query, QUERY_CONFIGS, visible.db)
    if tsquery is None:  # no word in it, in any configuration
        return nothing
    try:
        count, ids = ranked(visible, query, tsquery, limit=limit, offset=offset, at_most=at_most)
    except EmptyResultSet:  # no forum this reader may see
        return nothing

    def with_headlines(posts):
        passages = headlines([post.pk for post in posts], query, tsquery, visible.db)
        for post in posts:
            post.headline = passages.get(post.pk)

    return InOrder(as_results(Post.objects), Found(ids, count, offset), then=with_headlines)


# The passage of each post of a page around the words found, read in its own language's
# configuration with only that configuration's reading of the query (a third of the query to
# test), without the markers a person could type. A statement of our own, as the library's
# snippets: the ORM took longer to compile it as an expression (~2 ms) than PostgreSQL to run it.
HEADLINES_SQL = """
SELECT id, CASE language {languages} ELSE ts_headline(%s::regconfig, body, %s::tsquery, %s) END
FROM (
    SELECT id, language, replace(replace(text, %s, ''), %s, '') AS body
    FROM forums_post WHERE id = ANY(%s)
) AS page
"""
HEADLINE_IN = "WHEN %s THEN ts_headline(%s::regconfig, body, %s::tsquery, %s)"


def headlines(ids: list[int], query, tsquery, using) -> dict[int, str]:
    options = headline_options(max_words=35, min_words=15)

    def reading(config):
        return (parsed(query, (config,), using) or tsquery).text

    languages, params = [], []
    for language, config in CONFIGS.items():
        languages.append(HEADLINE_IN)
        params += [language, config, reading(config), options]
    params += [UNSTEMMED, reading(UNSTEMMED), options, START, STOP, ids]
    with connections[using].cursor() as cursor:
        cursor.execute(HEADLINES_SQL.format(languages=" ".join(languages)), params)
        return dict(cursor.fetchall())


FTS_MATCHED = "SELECT rowid FROM forums_post_fts WHERE forums_post_fts MATCH %s"
FTS_RANKS = """
SELECT rowid, bm25(forums_post_fts, 10.0, 4.0, 0.0) FROM forums_post_fts
WHERE forums_post_fts MATCH %s AND rowid IN ({ids})
"""
FTS_SNIPPET = (
    "(SELECT snippet(forums_post_fts, 1, %s, %s, %s, 30) FROM forums_post_fts "
    "WHERE forums_post_fts MATCH %s AND rowid = forums_post.id)"
)


def fts_matching(visible, query, *, offset: int, limit: int | None, at_most) -> InOrder | None:
    """`matching` on SQLite, through FTS5: the same newest matches, ranked by bm25."""
    match = fts_match(query, FTS_COLUMNS)
    if match is None:
        return None
    newest = dict(
        visible.filter(pk__in=RawSQL(FTS_MATCHED, [match]))  # noqa: S611 (a parameter)
        .order_by("-pk")
        .values_list("pk", "created_at")[:at_most]
    )
    ranks = {}
    if newest:
        with connections[visible.db].cursor() as cursor:
            marks = ", ".join("%s" for _ in newest)
            cursor.execute(FTS_RANKS.format(ids=marks), [match, *newest])
            ranks = dict(cursor.fetchall())
    # bm25 is lower for better matches, where PostgreSQL's ts_rank is higher.
    ordered = sorted(newest, key=lambda pk: (ranks.get(pk, 0), -newest[pk].timestamp(), -pk))
    page = ordered[offset : None if limit is None else offset + limit]
    snippet = RawSQL(FTS_SNIPPET, [START, STOP, FRAGMENT_DELIMITER, match])  # noqa: S611
    shown = as_results(Post.objects).annotate(headline=snippet)
    return InOrder(shown, Found(page, len(ordered), offset))


def count(posts) -> int:
    """How many posts `matching` found, without another query when it knows."""
    return len(posts) if isinstance(posts, InOrder) else posts.count()


def with_snippets(posts, query: str) -> list:
    """The posts of a page, each with `snippet`: its words around those searched for, marked."""
    posts = list(posts)
    words = expanded(query).words()
    for post in posts:
        passage = getattr(post, "headline", None)
        if passage is not None:
            post.snippet = mark(passage)
        else:
            body = post.text.replace(START, "").replace(STOP, "")
            post.snippet = plain_passage(body, words) or mark(Truncator(body).words(SNIPPET_WORDS))
    return posts


def named_forums() -> list[Named]:
    """The forums, by their names in both languages and their descriptions (the thesaurus's
    bridges only from public ones)."""
    return [
        Named(
            "forum",
            forum.slug,
            (("en", forum.name), ("fr", forum.name_fr or forum.name)),
            text=f"{forum.description}\n{forum.description_fr}",
            public=forum.visibility == Visibility.PUBLIC,
            id=forum.pk,
            address=("forums:forum", {"slug": forum.slug}, {}),
        )
        for forum in Forum.objects.only(
            "slug", "name", "name_fr", "description", "description_fr", "visibility"
        )
    ]
