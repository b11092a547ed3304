"""The library: studies, their authors and topics. Only published studies, always: the API is
open data, and editors prepare drafts in the admin (Publication.objects.published())."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from publications import search
from publications.models import (
    Author,
    Authorship,
    Coverage,
    DownloadCount,
    Kind,
    Publication,
    Topic,
)
from sites.models import Site

from . import cursors
from .reading import PageParams, answers, country_code, known, modified, page_url
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
    return queryset.defer("text", "extraction_error")


@dataclass
class Related:
    """What a page of studies holds besides their own rows, read for all of them at once, as
    plain values (four queries; model instances and related managers cost more than the
    queries on a page of 50)."""

    authors: dict
    topics: dict
    countries: dict
    downloads: dict

    @classmethod
    def of(cls, ids):
        authors, topics, countries = defaultdict(list), defaultdict(list), defaultdict(list)
        for study_id, slug, given, family, role in (
            Authorship.objects.filter(publication_id__in=ids)
            .order_by("publication_id", "order", "pk")
            .values_list("publication_id", "author__slug", "given_names", "family_name", "role")
        ):
            name = f"{given} {family}".strip()
            authors[study_id].append({"author": slug, "name": name, "role": role})
        for study_id, slug in (
            Publication.topics.through.objects.filter(publication_id__in=ids)
            .order_by("topic__slug")
            .values_list("publication_id", "topic__slug")
        ):
            topics[study_id].append(slug)
        for study_id, country in (
            Coverage.objects.filter(publication_id__in=ids)
            .order_by("country")
            .values_list("publication_id", "country")
        ):
            countries[study_id].append(country)
        return cls(authors, topics, countries, downloads_per_month(ids))


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


def study(request, publication, related: Related) -> dict:
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
        "authors": related.authors.get(publication.pk, []),
        "topics": related.topics.get(publication.pk, []),
        "countries": related.countries.get(publication.pk, []),
        "file": {
            "url": page_url(request, "publications:download", slug=publication.slug),
            "size": publication.file_size,
            "sha256": publication.file_sha256,
            "pages": publication.page_count,
        }
        if publication.file
        else None,
        "downloads_per_month": related.downloads.get(publication.pk, []),
        "url": page_url(request, "publications:detail", slug=publication.slug),
        "published_at": publication.published_at,
        "updated_at": publication.updated_at,
    }


@router.get("/studies", response=Page[StudyOut], summary="Published studies")
@answers(Page[StudyOut])
def studies(request, filters: Query[StudyFilters], paging: PageParams):
    """Every published study, oldest added first, filtered as the library's page filters."""
    queryset = published_studies().filtered(
        kind=filters.kind,
        language=filters.language,
        country=country_code(filters.country),
        topic=filters.topic,
        year=filters.year,
    )
    if filters.site:
        queryset = queryset.filter(sites__in=Site.objects.published().filter(slug=filters.site))
    if filters.q:
        found = search.matching(published_studies(), filters.q).values("pk")
        queryset = queryset.filter(pk__in=[row["pk"] for row in found])
    rows, after = cursors.page(
        studies_of(queryset), kind="studies", fields=("id",), **paging.dict()
    )
    if not rows:  # a slug naming nothing is a 400, not an empty page: asked only then
        known(Topic.objects, filters.topic, "topic")
        known(Site.objects.published(), filters.site, "case-study site")
    related = Related.of([row.pk for row in rows])
    return {"items": [study(request, row, related) for row in rows], "next": after}


@router.get("/studies/{slug}", response=StudyDetailOut, summary="One published study")
@answers(StudyDetailOut)
def study_detail(request, slug: str):
    publication = get_object_or_404(studies_of(published_studies()), slug=slug)
    answer = study(request, publication, Related.of([publication.pk]))
    answer["other_languages"] = list(
        publication.translations.published().order_by("slug").values_list("slug", flat=True)
    )
    answer["sites"] = list(
        publication.sites.published().order_by("slug").values_list("slug", flat=True)
    )
    return answer


@router.get("/authors", response=Page[AuthorOut], summary="Authors of published studies")
@answers(Page[AuthorOut])
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
@answers(Page[TopicOut])
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
