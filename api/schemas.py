"""What the API answers, as pydantic schemas: they validate each answer and are its OpenAPI
description. No schema has a field for an email address, a moderation state or a draft.

Plain pydantic models rather than ninja's Schema: the endpoints hand them dicts, and ninja's
Schema wraps every nested value for reading ORM attributes (a third of a list's time)."""

import datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel as Schema
from pydantic import Field

Item = TypeVar("Item")


class Page(Schema, Generic[Item]):
    items: list[Item]
    next: str | None = Field(
        description="The cursor of the next page (pass it as `cursor`); null on the last page."
    )


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict] | None = None


class Person(Schema):
    """Who wrote a post or started a thread, as the site shows them: never their address."""

    name: str
    stakeholder_group: str = Field(description="Empty when the person gave none.")
    verified: bool = Field(description="A moderator has checked who this person speaks for.")


class AuthorOut(Schema):
    slug: str
    name: str
    studies: int = Field(description="Published studies by this author.")


class Authorship(Schema):
    author: str = Field(description="The author's slug.")
    name: str = Field(description="The name as this study printed it.")
    role: Literal["author", "contributor"]


class FileOut(Schema):
    url: str
    size: int | None = Field(description="Bytes.")
    sha256: str
    pages: int | None


class MonthCount(Schema):
    month: str = Field(description="YYYY-MM", pattern=r"^\d{4}-\d{2}$")
    downloads: int


class StudyOut(Schema):
    slug: str
    title: str
    kind: str
    language: str
    year: int
    month: int | None
    abstract: str
    publisher: str
    rights: str
    authors: list[Authorship]
    topics: list[str] = Field(description="Topic slugs.")
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes of the countries covered.")
    file: FileOut | None
    downloads_per_month: list[MonthCount]
    url: str
    published_at: datetime.datetime | None
    updated_at: datetime.datetime


class StudyDetailOut(StudyOut):
    other_languages: list[str] = Field(description="Slugs of the same work in other languages.")
    sites: list[str] = Field(description="Slugs of the case-study sites it is about.")


class TermOut(Schema):
    slug: str
    name: str
    name_fr: str


class TopicOut(TermOut):
    studies: int = Field(description="Published studies on this topic.")


class MineralOut(TermOut):
    sites: int = Field(description="Published case-study sites where it is mined.")


class SiteTextOut(Schema):
    language: str
    name: str
    designation: str
    region: str
    summary_html: str


class SiteOut(Schema):
    slug: str
    country: str
    latitude: float
    longitude: float
    protected_since: int | None
    area_ha: int | None
    iucn_category: str
    wdpa_id: int | None
    minerals: list[str] = Field(description="Mineral slugs.")
    texts: list[SiteTextOut]
    url: str
    updated_at: datetime.datetime


class ForumOut(Schema):
    slug: str
    name: str
    name_fr: str
    description: str
    description_fr: str
    visibility: Literal["public", "members", "restricted"]
    site: str | None = Field(description="The case-study site's slug, for a site's forum.")
    threads: int
    posts: int
    url: str


class ThreadOut(Schema):
    id: int
    forum: str
    title: str
    kind: Literal["discussion", "consultation"]
    author: Person
    created_at: datetime.datetime
    last_post_at: datetime.datetime | None
    replies: int
    pinned: bool
    locked: bool
    closed_at: datetime.datetime | None
    context_html: str
    outcome_html: str
    url: str


class PostOut(Schema):
    id: int
    thread: int
    forum: str
    author: Person
    language: str
    html: str = Field(description="The post rendered and sanitised, as the site shows it.")
    text: str = Field(description="The words a reader sees, without markup.")
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    url: str


class OutcomeOut(Schema):
    thread: int
    forum: str
    title: str
    context_html: str
    outcome_html: str
    closed_at: datetime.datetime
    url: str


class GroupShareOut(Schema):
    group: str
    label: str
    people: int
    posts: int
    percent: int


class BalanceOut(Schema):
    thread: int
    groups: list[GroupShareOut]


class ParticipationOut(Schema):
    stakeholder_group: str
    country: str = Field(description="ISO code; empty when people gave none.")
    people: int
    posts: int


class GeoJSONFeature(Schema):
    type: Literal["Feature"]
    id: str
    geometry: dict
    properties: dict


class GeoJSONOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[GeoJSONFeature]
