"""The library: studies, their authors and topics. Only published studies, always: the API is
open data, and editors prepare drafts in the admin (Publication.objects.published())."""

import datetime
from collections import defaultdict
from typing import Literal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from publications import search
from publications.models import (
    Author,
    Authorship,
    DownloadCount,
    Kind,
    Publication,
    Topic,
)
from sites.models import Site

from . import cursors
from .reading import PageParams, country_code, known, modified, page_url
from .schemas import AuthorOut, Page, StudyDetailOut, StudyOut, TopicOut

router = Router(tags=["library"])


class StudyFilters(Schema):
    kind: Kind | None = None
    language: Literal["en", "fr"] | None = None
    country: str | None = Field(None, min_length=2, max_length=2, description="ISO code.")
    topic: str | None = Field(None, max_length=60, description="A topic's slug.")
    year: int | None = Field(None, ge=1900, le=2100)
    site: str | None = Field(None, max_length=80, description="A case-study site's slug.")
    q: str | None = Field(None, max_length=200, description="Words, as the library's search.")


def published_studies():
    return Publication.objects.published()


def studies_of(queryset):
    """Studies with what a study's answer holds, in four queries besides their own."""
    authorships = Authorship.objects.select_related("author").order_by("order", "pk")
    return queryset.defer("text").prefetch_related(
        Prefetch("authorships", queryset=authorships),
        Prefetch("topics", queryset=Topic.objects.only("pk", "slug")),
        "coverage",
    )


def downloads_per_month(ids) -> dict[int, list[dict]]:
    rows = (
        DownloadCount.objects.filter(publication_id__in=ids)
        .annotate(month=TruncMonth("day"))
        .values("publication_id", "month")
        .annotate(downloads=Sum("count"))
        .order_by("publication_id", "month")
    )
    months = defaultdict(list)
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        months[row["publication_id"]].append(
            {"month": month.strftime("%Y-%m"), "downloads": row["downloads"]}
        )
    return months


def study(request, publication, downloads) -> dict:
    modified(request, publication.updated_at)
    return {
        "slug": publication.slug,
        "title": publication.title,
        "kind": publication.kind,
        "language": publication.language,
        "year": publication.year,
        "month": publication.month,
        "abstract": publication.abstract,
        "publisher": publication.publisher,
        "rights": publication.rights,
        "authors": [
            {"author": a.author.slug, "name": a.printed_name, "role": a.role}
            for a in publication.authorships.all()
        ],
        "topics": [topic.slug for topic in publication.topics.all()],
        "countries": sorted(row.country.code for row in publication.coverage.all()),
        "file": {
            "url": page_url(request, "publications:download", slug=publication.slug),
            "size": publication.file_size,
            "sha256": publication.file_sha256,
            "pages": publication.page_count,
        }
        if publication.file
        else None,
        "downloads_per_month": downloads.get(publication.pk, []),
        "url": page_url(request, "publications:detail", slug=publication.slug),
        "published_at": publication.published_at,
        "updated_at": publication.updated_at,
    }


@router.get("/studies", response=Page[StudyOut], summary="Published studies")
def studies(request, filters: Query[StudyFilters], paging: PageParams):
    """Every published study, oldest added first, filtered as the library's page filters."""
    known(Topic.objects, filters.topic, "topic")
    queryset = published_studies().filtered(
        kind=filters.kind,
        language=filters.language,
        country=country_code(filters.country),
        topic=filters.topic,
        year=filters.year,
    )
    if filters.site:
        site = known(Site.objects.published(), filters.site, "case-study site")
        queryset = queryset.filter(sites=site)
    if filters.q:
        found = search.matching(published_studies(), filters.q).values("pk")
        queryset = queryset.filter(pk__in=[row["pk"] for row in found])
    rows, after = cursors.page(
        studies_of(queryset), kind="studies", fields=("id",), **paging.dict()
    )
    downloads = downloads_per_month([row.pk for row in rows])
    return {"items": [study(request, row, downloads) for row in rows], "next": after}


@router.get("/studies/{slug}", response=StudyDetailOut, summary="One published study")
def study_detail(request, slug: str):
    publication = get_object_or_404(studies_of(published_studies()), slug=slug)
    answer = study(request, publication, downloads_per_month([publication.pk]))
    answer["other_languages"] = list(
        publication.translations.published().order_by("slug").values_list("slug", flat=True)
    )
    answer["sites"] = list(
        publication.sites.published().order_by("slug").values_list("slug", flat=True)
    )
    return answer


@router.get("/authors", response=Page[AuthorOut], summary="Authors of published studies")
def authors(request, paging: PageParams):
    """Authors with at least one published study, and how many they have."""
    published = Q(authorships__publication__is_published=True)
    queryset = Author.objects.filter(
        Exists(
            Authorship.objects.filter(author=OuterRef("pk"), publication__in=published_studies())
        )
    ).annotate(studies=Count("authorships", filter=published))
    rows, after = cursors.page(queryset, kind="authors", fields=("id",), **paging.dict())
    return {
        "items": [{"slug": a.slug, "name": a.name, "studies": a.studies} for a in rows],
        "next": after,
    }


@router.get("/topics", response=Page[TopicOut], summary="The library's topics")
def topics(request, paging: PageParams):
    published = Q(publication__is_published=True)
    queryset = Topic.objects.annotate(studies=Count("publication", filter=published))
    rows, after = cursors.page(queryset, kind="topics", fields=("id",), **paging.dict())
    return {
        "items": [
            {"slug": t.slug, "name": t.name, "name_fr": t.name_fr, "studies": t.studies}
            for t in rows
        ],
        "next": after,
    }
