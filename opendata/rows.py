"""The rows of each table of the open-data dump, read from the apps' own QuerySets of what a
visitor sees: published studies and sites, the forums a visitor may read, their visible threads
and approved posts; people by their public name, stakeholder group and verified mark, never an
address. Rows are read as tuples through `.iterator()`, a chunk at a time, so that a table of
any length costs the same memory.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, F, Q, Sum, When
from django.db.models.functions import TruncMonth
from django.urls import reverse

from core.emails import absolute_url
from forums.models import Forum, Post, Thread, ThreadKind
from forums.permissions import visible_forum_ids
from publications.models import Author, Authorship, Coverage, DownloadCount, Publication, Topic
from sites.models import Mineral, Site, SiteText

# Rows fetched from the database at a time: memory holds one chunk, whatever the table's length.
CHUNK_ROWS = 2000


# What a visitor sees: the same QuerySets the pages read.


def published_studies():
    return Publication.objects.published()


def published_sites():
    return Site.objects.published()


def public_forum_ids():
    return visible_forum_ids(AnonymousUser())


def public_threads():
    return Thread.objects.shown_to(AnonymousUser()).filter(forum_id__in=public_forum_ids())


def public_posts():
    return Post.objects.public().filter(thread__forum_id__in=public_forum_ids())


def chunked(queryset, *columns):
    return queryset.order_by(*columns[:1]).values_list(*columns).iterator(chunk_size=CHUNK_ROWS)


def addresses(view, *names):
    """A function of `names` giving a page's absolute address, in the language the dump is
    built in (English): reversed once, as reversing costs a millisecond a row."""
    # Digits, which every converter takes (slug and int alike), and no address holds.
    marks = {name: f"{97531 + n}86420" for n, name in enumerate(names)}
    pattern = str(absolute_url(reverse(view, kwargs=marks))).replace("{", "{{").replace("}", "}}")
    for name, mark in marks.items():
        pattern = pattern.replace(mark, "{" + name + "}")
    return pattern.format


def person(name, deleted_at, group, verified_at):
    """A person as the dialogue shows them: their public name, group and verified mark."""
    if deleted_at:
        return ("Deleted user", None, False)
    return (name or "Anonymous stakeholder", group or None, verified_at is not None)


# The rows of each table.


def study_rows():
    address = addresses("publications:detail", "slug")
    for row in chunked(
        published_studies(),
        "pk",
        "slug",
        "title",
        "kind",
        "language",
        "year",
        "month",
        "abstract",
        "publisher",
        "rights",
        "page_count",
        "file_size",
        "file_sha256",
        "published_at",
        "updated_at",
    ):
        yield (*row, address(slug=row[1]))


def author_rows():
    named = Authorship.objects.filter(publication__in=published_studies()).values("author_id")
    yield from chunked(Author.objects.filter(pk__in=named), "pk", "name", "slug")


def study_author_rows():
    yield from chunked(
        Authorship.objects.filter(publication__in=published_studies()),
        "publication_id",
        "author_id",
        "order",
        "role",
        "given_names",
        "family_name",
    )


def topic_rows():
    yield from chunked(Topic.objects.all(), "pk", "slug", "name", "name_fr")


def study_topic_rows():
    links = Publication.topics.through.objects.filter(publication__in=published_studies())
    yield from chunked(links, "publication_id", "topic_id")


def study_country_rows():
    yield from chunked(
        Coverage.objects.filter(publication__in=published_studies()), "publication_id", "country"
    )


def site_rows():
    address = addresses("sites:detail", "slug")
    for row in chunked(
        published_sites(),
        "pk",
        "slug",
        "country",
        "latitude",
        "longitude",
        "established",
        "area_ha",
        "iucn_category",
        "wdpa_id",
    ):
        yield (*row, address(slug=row[1]))


def site_text_rows():
    yield from chunked(
        SiteText.objects.filter(site__in=published_sites()),
        "site_id",
        "language",
        "name",
        "designation",
        "region",
        "status_note",
        "ecosystem",
        "summary",
        "environmental_impacts",
        "social_impacts",
        "responses",
        "stakeholders",
    )


def mineral_rows():
    yield from chunked(Mineral.objects.all(), "pk", "slug", "name", "name_fr")


def site_mineral_rows():
    links = Site.minerals.through.objects.filter(site__in=published_sites())
    yield from chunked(links, "site_id", "mineral_id")


def site_study_rows():
    links = Site.publications.through.objects.filter(
        site__in=published_sites(), publication__in=published_studies()
    )
    yield from chunked(links, "site_id", "publication_id")


def forum_rows():
    address = addresses("forums:forum", "slug")
    # A forum's site is named only while that site is published.
    forums = Forum.objects.filter(pk__in=public_forum_ids()).annotate(
        public_site=Case(When(site__is_published=True, then=F("site_id")))
    )
    for pk, slug, *rest in chunked(
        forums,
        "pk",
        "slug",
        "name",
        "name_fr",
        "description",
        "description_fr",
        "public_site",
        "pre_moderated",
    ):
        yield (pk, slug, *rest, address(slug=slug))


def thread_rows():
    address = addresses("forums:thread", "forum", "pk")
    rows = chunked(
        public_threads(),
        "pk",
        "forum_id",
        "forum__slug",
        "title",
        "kind",
        "author__name",
        "author__deleted_at",
        "author__stakeholder_group",
        "author__affiliation_verified_at",
        "created_at",
        "closed_at",
        "is_locked",
        "is_example",
        "context",
    )
    for pk, forum_id, forum_slug, title, kind, *rest in rows:
        author, (created, closed, locked, example, context) = rest[:4], rest[4:]
        link = address(forum=forum_slug, pk=pk)
        yield (
            pk,
            forum_id,
            title,
            kind,
            *person(*author),
            created,
            closed,
            locked,
            example,
            context,
            link,
        )


def post_rows():
    # A reply names the post it answers only while that one is public too.
    posts = public_posts().annotate(
        public_reply_to=Case(
            When(
                Q(reply_to__status="approved", reply_to__thread__is_visible=True)
                & Q(reply_to__thread__forum_id__in=public_forum_ids()),
                then=F("reply_to_id"),
            )
        )
    )
    rows = chunked(
        posts,
        "pk",
        "thread_id",
        "public_reply_to",
        "author__name",
        "author__deleted_at",
        "author__stakeholder_group",
        "author__affiliation_verified_at",
        "language",
        "text",
        "created_at",
        "edited_at",
    )
    for pk, thread_id, reply_to, name, deleted, group, verified, *rest in rows:
        yield (pk, thread_id, reply_to, *person(name, deleted, group, verified), *rest)


def outcome_rows():
    closed = (
        public_threads()
        .filter(kind=ThreadKind.CONSULTATION, closed_at__isnull=False)
        .exclude(outcome="")
    )
    for thread_id, closed_at, *closer, outcome in chunked(
        closed,
        "pk",
        "closed_at",
        "closed_by__name",
        "closed_by__deleted_at",
        "closed_by__stakeholder_group",
        "closed_by__affiliation_verified_at",
        "outcome",
    ):
        yield (thread_id, closed_at, person(*closer)[0], outcome)


def participation_rows():
    rows = (
        public_posts()
        .values_list("author__stakeholder_group", "author__country")
        .annotate(people=Count("author", distinct=True), posts=Count("pk"))
        .order_by("author__stakeholder_group", "author__country")
    )
    for group, country, people, posts in rows.iterator(chunk_size=CHUNK_ROWS):
        yield (group or None, country or None, people, posts)


def download_rows():
    rows = (
        DownloadCount.objects.filter(publication__in=published_studies())
        .annotate(month=TruncMonth("day"))
        .values_list("publication_id", "month")
        .annotate(downloads=Sum("count"))
        .order_by("publication_id", "month")
    )
    for study_id, month, downloads in rows.iterator(chunk_size=CHUNK_ROWS):
        yield (study_id, f"{month:%Y-%m}", downloads)
