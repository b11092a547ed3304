"""The dialogue: forums, threads, approved posts, consultation outcomes, each thread's balance
and the participation per stakeholder group and country. What a reader may see is what
forums.permissions says for them (a visitor: public forums; a token's holder: what they read
on the site), and only approved posts of visible threads (forums.search.searchable): never a
post that waits, was hidden or rejected, nor a thread whose opening post waits."""

import datetime

from django.db.models import Count
from django.http import Http404
from ninja import Path, Query, Router, Schema
from pydantic import Field

from accounts.models import StakeholderGroup
from core import pagecache
from forums import search
from forums.balance import dialogue_balance
from forums.models import Forum, PostLanguage, Thread, ThreadKind
from forums.permissions import visible_forum_ids
from sites.models import Site

from . import cursors
from .reading import (
    PageParams,
    answers,
    as_end,
    as_start,
    country_code,
    date_range,
    known,
    modified,
    page_url,
)
from .schemas import (
    BalanceOut,
    ForumOut,
    OutcomeOut,
    Page,
    ParticipationOut,
    PostOut,
    ThreadOut,
)

router = Router(tags=["dialogue"])

ID = Path(..., ge=1, le=2**63 - 1)
PERSON_FIELDS = ("name", "stakeholder_group", "affiliation_verified_at", "deleted_at")


class Dates(Schema):
    since: datetime.date | None = Field(None, description="From this day (UTC), included.")
    until: datetime.date | None = Field(None, description="To this day (UTC), included.")


class ThreadFilters(Dates):
    forum: str | None = Field(None, max_length=80, description="A forum's slug.")
    site: str | None = Field(None, max_length=80, description="A case-study site's slug.")
    kind: ThreadKind | None = None


class PostFilters(Dates):
    forum: str | None = Field(None, max_length=80, description="A forum's slug.")
    thread: int | None = Field(None, ge=1, le=2**63 - 1)
    language: PostLanguage | None = None
    stakeholder_group: StakeholderGroup | None = None
    country: str | None = Field(
        None, min_length=2, max_length=2, description="The authors' country (ISO code)."
    )
    q: str | None = Field(
        None,
        max_length=200,
        description="Words, as the dialogue's search (its newest 500 matches).",
    )


class ParticipationFilters(Dates):
    forum: str | None = Field(None, max_length=80, description="A forum's slug.")


def visible_forums(request):
    return Forum.objects.filter(pk__in=sorted(visible_forum_ids(request.user)))


def visible_threads(request):
    return Thread.objects.filter(
        forum_id__in=sorted(visible_forum_ids(request.user)), is_visible=True
    )


def forum_of(request, slug):
    """The forum of this slug if the reader sees it; a forum they do not see is as unknown as
    one that does not exist (the site's 404 says the same)."""
    return known(visible_forums(request), slug, "forum")


def in_dates(queryset, dates: Dates, field="created_at"):
    date_range(dates.since, dates.until)
    if dates.since:
        queryset = queryset.filter(**{f"{field}__gte": as_start(dates.since)})
    if dates.until:
        queryset = queryset.filter(**{f"{field}__lt": as_end(dates.until)})
    return queryset


def person(user) -> dict:
    return {
        "name": user.display_name,
        "stakeholder_group": "" if user.deleted_at else user.stakeholder_group,
        "verified": user.is_verified and not user.deleted_at,
    }


def forum_answer(request, forum) -> dict:
    site = forum.site if forum.site_id and forum.site.is_published else None
    return {
        "slug": forum.slug,
        "name": forum.name,
        "name_fr": forum.name_fr,
        "description": forum.description,
        "description_fr": forum.description_fr,
        "visibility": forum.visibility,
        "site": site.slug if site else None,
        "threads": forum.thread_count,
        "posts": forum.post_count,
        "url": page_url(request, "forums:forum", slug=forum.slug),
    }


@router.get("/forums", response=Page[ForumOut], summary="Forums the reader may see")
@answers(Page[ForumOut])
def forums(request, paging: PageParams):
    queryset = visible_forums(request).select_related("site")
    rows, after = cursors.page(queryset, kind="forums", fields=("id",), **paging.dict())
    return {"items": [forum_answer(request, row) for row in rows], "next": after}


def thread_answer(request, thread) -> dict:
    modified(request, thread.last_post_at)
    return {
        "id": thread.pk,
        "forum": thread.forum.slug,
        "title": thread.title,
        "kind": thread.kind,
        "author": person(thread.author),
        "created_at": thread.created_at,
        "last_post_at": thread.last_post_at,
        "replies": thread.reply_count,
        "pinned": thread.is_pinned,
        "locked": thread.is_locked,
        "closed_at": thread.closed_at,
        "context_html": thread.context_html,
        "outcome_html": thread.outcome_html,
        "url": page_url(request, "forums:thread", forum=thread.forum.slug, pk=thread.pk),
    }


def threads_of(queryset):
    return queryset.select_related("forum", "author").only(
        *(f"author__{field}" for field in PERSON_FIELDS),
        "forum__slug",
        *(field.name for field in Thread._meta.concrete_fields if field.name not in ("closed_by",)),
    )


@router.get("/threads", response=Page[ThreadOut], summary="Visible threads")
@answers(Page[ThreadOut])
def threads(request, filters: Query[ThreadFilters], paging: PageParams):
    """Threads whose opening post is approved, in the forums the reader may see, oldest first."""
    queryset = visible_threads(request)
    if filters.forum:
        queryset = queryset.filter(forum=forum_of(request, filters.forum))
    if filters.site:
        site = known(Site.objects.published(), filters.site, "case-study site")
        queryset = queryset.filter(forum__site=site)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    queryset = in_dates(queryset, filters)
    rows, after = cursors.page(
        threads_of(queryset), kind="threads", fields=("created_at", "id"), **paging.dict()
    )
    return {"items": [thread_answer(request, row) for row in rows], "next": after}


def visible_thread(request, thread_id: int):
    thread = threads_of(visible_threads(request)).filter(pk=thread_id).first()
    if thread is None:
        raise Http404
    return thread


@router.get("/threads/{thread_id}", response=ThreadOut, summary="One visible thread")
@answers(ThreadOut)
def thread_detail(request, thread_id: int = ID):
    return thread_answer(request, visible_thread(request, thread_id))


@router.get(
    "/threads/{thread_id}/balance",
    response=BalanceOut,
    summary="Who is being heard in a thread, by stakeholder group",
)
@answers(BalanceOut)
def thread_balance(request, thread_id: int = ID):
    """Every stakeholder group with its participants and approved posts, zeros included (the
    thread page's dialogue balance)."""
    thread = visible_thread(request, thread_id)
    modified(request, thread.last_post_at)
    shares = dialogue_balance(thread)
    return {
        "thread": thread.pk,
        "groups": [
            {
                "group": share.group,
                "label": str(share.label),
                "people": share.people,
                "posts": share.posts,
                "percent": share.percent,
            }
            for share in shares
        ],
    }


def post_answer(request, post) -> dict:
    modified(request, post.edited_at or post.approved_at or post.created_at)
    return {
        "id": post.pk,
        "thread": post.thread_id,
        "forum": post.thread.forum.slug,
        "author": person(post.author),
        "language": post.language,
        "html": post.body_html,
        "text": post.text,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "url": page_url(request, "forums:post", pk=post.pk),
    }


def posts_of(queryset):
    return queryset.select_related("thread__forum", "author").only(
        "thread__forum__slug",
        "thread__forum_id",
        *(f"author__{field}" for field in PERSON_FIELDS),
        "language",
        "body_html",
        "text",
        "created_at",
        "approved_at",
        "edited_at",
        "thread_id",
        "author_id",
    )


@router.get("/posts", response=Page[PostOut], summary="Approved posts")
@answers(Page[PostOut])
def posts(request, filters: Query[PostFilters], paging: PageParams):
    """Approved posts of visible threads, in the forums the reader may see, oldest first."""
    queryset = search.searchable(request.user)
    if filters.forum:
        queryset = queryset.filter(thread__forum=forum_of(request, filters.forum))
    if filters.thread:
        queryset = queryset.filter(thread_id=filters.thread)
    if filters.language:
        queryset = queryset.filter(language=filters.language)
    if filters.stakeholder_group:
        queryset = queryset.filter(author__stakeholder_group=filters.stakeholder_group)
    if filters.country:
        queryset = queryset.filter(author__country=country_code(filters.country))
    queryset = in_dates(queryset, filters)
    if filters.q:
        found = search.matching(request.user, filters.q).found.ids
        queryset = queryset.filter(pk__in=found)
    rows, after = cursors.page(
        posts_of(queryset), kind="posts", fields=("created_at", "id"), **paging.dict()
    )
    return {"items": [post_answer(request, row) for row in rows], "next": after}


@router.get("/posts/{post_id}", response=PostOut, summary="One approved post")
@answers(PostOut)
def post_detail(request, post_id: int = ID):
    post = posts_of(search.searchable(request.user)).filter(pk=post_id).first()
    if post is None:
        raise Http404
    return post_answer(request, post)


@router.get("/outcomes", response=Page[OutcomeOut], summary="Consultation outcomes")
@answers(Page[OutcomeOut])
def outcomes(request, filters: Query[ParticipationFilters], paging: PageParams):
    """Closed consultations with their outcome, in the forums the reader may see."""
    queryset = (
        visible_threads(request)
        .filter(kind=ThreadKind.CONSULTATION, closed_at__isnull=False)
        .exclude(outcome="")
    )
    if filters.forum:
        queryset = queryset.filter(forum=forum_of(request, filters.forum))
    queryset = in_dates(queryset, filters, field="closed_at")
    rows, after = cursors.page(
        queryset.select_related("forum"), kind="outcomes", fields=("id",), **paging.dict()
    )
    for row in rows:
        modified(request, row.closed_at)
    return {
        "items": [
            {
                "thread": row.pk,
                "forum": row.forum.slug,
                "title": row.title,
                "context_html": row.context_html,
                "outcome_html": row.outcome_html,
                "closed_at": row.closed_at,
                "url": page_url(request, "forums:thread", forum=row.forum.slug, pk=row.pk),
            }
            for row in rows
        ],
        "next": after,
    }


@router.get(
    "/participation",
    response=list[ParticipationOut],
    summary="Participation per stakeholder group and country",
)
@answers(list[ParticipationOut])
def participation(request, filters: Query[ParticipationFilters]):
    """People and approved posts per stakeholder group and country, in the forums the reader
    may see; people without a group count as "other", as in each thread's balance."""
    queryset = search.searchable(request.user)
    if filters.forum:
        queryset = queryset.filter(thread__forum=forum_of(request, filters.forum))
    queryset = in_dates(queryset, filters)
    # Counting every post took 150 ms at 100,000 posts: counted once per change of the
    # dialogue (or of anyone's group or country: "content"), for each set of forums read.
    forums = sorted(visible_forum_ids(request.user))
    asked = (filters.forum, filters.since, filters.until)
    return pagecache.kept(
        f"api participation {forums} {asked}",
        tags=("dialogue",),
        compute=lambda: participation_rows(queryset),
    )


def participation_rows(queryset) -> list[dict]:
    rows = (
        queryset.values("author__stakeholder_group", "author__country")
        .annotate(posts=Count("pk"), people=Count("author", distinct=True))
        .order_by("author__stakeholder_group", "author__country")
    )
    merged = {}
    for row in rows:
        key = (
            row["author__stakeholder_group"] or StakeholderGroup.OTHER,
            row["author__country"] or "",
        )
        people, posts_count = merged.get(key, (0, 0))
        merged[key] = (people + row["people"], posts_count + row["posts"])
    return [
        {"stakeholder_group": group, "country": country, "people": people, "posts": count}
        for (group, country), (people, count) in sorted(merged.items())
    ]
