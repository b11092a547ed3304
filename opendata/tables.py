"""The tables of the open-data dump: what each holds, its columns with their types and meaning
(the data dictionary), and the rows, read from the apps' own QuerySets of what a visitor sees.

Only public data: published studies and sites, the forums a visitor may read, their visible
threads and approved posts; people by their public name, stakeholder group and verified mark,
never an address. Rows are read as tuples through `.iterator()`, a chunk at a time, so that a
table of any length costs the same memory.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, F, Q, Sum, When
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import StakeholderGroup
from core.emails import absolute_url
from forums.models import Forum, Post, PostLanguage, Thread, ThreadKind
from forums.permissions import visible_forum_ids
from publications.models import (
    Author,
    Authorship,
    Coverage,
    DownloadCount,
    Kind,
    Publication,
    Topic,
)
from sites.models import Mineral, Site, SiteText

# Rows fetched from the database at a time: memory holds one chunk, whatever the table's length.
CHUNK_ROWS = 2000


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type: integer, number, string, boolean, date, datetime, yearmonth
    description: str
    required: bool = False
    enum: tuple = ()

    def schema(self) -> dict:
        described = {"name": self.name, "type": self.type, "description": str(self.description)}
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            described["constraints"] = constraints
        return described


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[tuple]]
    primary_key: tuple[str, ...] = ()
    # (column, table, its column): each value is one of that table's, or empty.
    references: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def path(self) -> str:
        return f"{self.name}.csv"


# Columns many tables share.


def id_column(what):
    return Column("id", "integer", what, required=True)


def reference(name, what):
    return Column(name, "integer", what, required=True)


def url_column(what):
    return Column("url", "string", what, required=True)


def person_columns(prefix, whose):
    return (
        Column(f"{prefix}_name", "string", whose["name"], required=True),
        Column(
            f"{prefix}_stakeholder_group",
            "string",
            whose["group"],
            enum=tuple(StakeholderGroup.values),
        ),
        Column(f"{prefix}_verified", "boolean", whose["verified"], required=True),
    )


LANGUAGES = [code for code, _name in settings.LANGUAGES]


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


# The data dictionary.

STUDY_ID = _("The study's id (studies.csv).")
AUTHOR = {
    "name": _("The author's public name on the portal ('Deleted user' for a deleted account)."),
    "group": _("The stakeholder group the author speaks for; empty if not given."),
    "verified": _("Whether a moderator verified the author's affiliation."),
}

TABLES = (
    Table(
        "studies",
        _("Studies"),
        _("The programme's published studies: the library."),
        (
            id_column(_("The study's id, as in every table that names it.")),
            Column("slug", "string", _("The study's name in its address."), required=True),
            Column("title", "string", _("Title."), required=True),
            Column("kind", "string", _("Kind of study."), True, tuple(Kind.values)),
            Column(
                "language", "string", _("Language of the study: en or fr."), True, tuple(LANGUAGES)
            ),
            Column("year", "integer", _("Year of publication."), required=True),
            Column("month", "integer", _("Month of publication (1-12); empty if not given.")),
            Column("abstract", "string", _("Abstract.")),
            Column("publisher", "string", _("Publisher.")),
            Column("rights", "string", _("Rights in the study's text (its PDF).")),
            Column("pages", "integer", _("Pages in the PDF; empty without a file.")),
            Column("file_size", "integer", _("Size of the PDF in bytes; empty without a file.")),
            Column("file_sha256", "string", _("SHA-256 of the PDF, in hexadecimal.")),
            Column("published_at", "datetime", _("When the study was first published (UTC).")),
            Column("updated_at", "datetime", _("When the study was last changed (UTC)."), True),
            url_column(_("The study's page on the portal, in English (/fr/ for French).")),
        ),
        study_rows,
        primary_key=("id",),
    ),
    Table(
        "authors",
        _("Authors"),
        _("The people who wrote or contributed to a published study."),
        (
            id_column(_("The author's id.")),
            Column("name", "string", _("The author's name today."), required=True),
            Column("slug", "string", _("The author's name in addresses."), required=True),
        ),
        author_rows,
        primary_key=("id",),
    ),
    Table(
        "study_authors",
        _("Study authors"),
        _("Who wrote each study, in print order, under the name the study printed."),
        (
            reference("study_id", STUDY_ID),
            reference("author_id", _("The author's id (authors.csv).")),
            Column("order", "integer", _("Position in the study's list of people, from 0.")),
            Column("role", "string", _("author or contributor."), True, ("author", "contributor")),
            Column("given_names", "string", _("Given names as printed.")),
            Column("family_name", "string", _("Family name as printed."), required=True),
        ),
        study_author_rows,
        primary_key=("study_id", "author_id"),
        references=(("study_id", "studies", "id"), ("author_id", "authors", "id")),
    ),
    Table(
        "topics",
        _("Topics"),
        _("The vocabulary of subjects studies are filed under."),
        (
            id_column(_("The topic's id.")),
            Column("slug", "string", _("The topic's name in addresses."), required=True),
            Column("name_en", "string", _("Name in English."), required=True),
            Column("name_fr", "string", _("Name in French; empty if not translated.")),
        ),
        topic_rows,
        primary_key=("id",),
    ),
    Table(
        "study_topics",
        _("Study topics"),
        _("The topics of each study."),
        (reference("study_id", STUDY_ID), reference("topic_id", _("The topic's id (topics.csv)."))),
        study_topic_rows,
        primary_key=("study_id", "topic_id"),
        references=(("study_id", "studies", "id"), ("topic_id", "topics", "id")),
    ),
    Table(
        "study_countries",
        _("Study countries"),
        _("The countries each study is about."),
        (
            reference("study_id", STUDY_ID),
            Column("country", "string", _("ISO 3166-1 alpha-2 code of the country."), True),
        ),
        study_country_rows,
        primary_key=("study_id", "country"),
        references=(("study_id", "studies", "id"),),
    ),
    Table(
        "sites",
        _("Case-study sites"),
        _("The protected areas and critical ecosystems the programme studied."),
        (
            id_column(_("The site's id.")),
            Column("slug", "string", _("The site's name in its address."), required=True),
            Column("country", "string", _("ISO 3166-1 alpha-2 code of the country."), True),
            Column("latitude", "number", _("Latitude of the approximate centre (WGS 84)."), True),
            Column("longitude", "number", _("Longitude of the approximate centre (WGS 84)."), True),
            Column("established", "integer", _("Year first protected; empty if unknown.")),
            Column("area_ha", "integer", _("Approximate area in hectares; empty if unknown.")),
            Column("iucn_category", "string", _("IUCN management category, e.g. II or V/VI.")),
            Column("wdpa_id", "integer", _("Id in the World Database on Protected Areas.")),
            url_column(_("The site's page on the portal, in English (/fr/ for French).")),
        ),
        site_rows,
        primary_key=("id",),
    ),
    Table(
        "site_texts",
        _("Site texts"),
        _("What each site's page says, once per language (Markdown)."),
        (
            reference("site_id", _("The site's id (sites.csv).")),
            Column(
                "language", "string", _("Language of the text: en or fr."), True, tuple(LANGUAGES)
            ),
            Column("name", "string", _("Name of the site."), required=True),
            Column("designation", "string", _("Designation, e.g. National park.")),
            Column("region", "string", _("Region.")),
            Column("status_note", "string", _("A note on the protected status.")),
            Column("ecosystem", "string", _("Ecosystem.")),
            Column("summary", "string", _("Summary (Markdown).")),
            Column("environmental_impacts", "string", _("Environmental impacts (Markdown).")),
            Column("social_impacts", "string", _("Social impacts (Markdown).")),
            Column("responses", "string", _("Responses and solutions tried (Markdown).")),
            Column("stakeholders", "string", _("Stakeholders involved (Markdown).")),
        ),
        site_text_rows,
        primary_key=("site_id", "language"),
        references=(("site_id", "sites", "id"),),
    ),
    Table(
        "minerals",
        _("Minerals"),
        _("The minerals mined at the sites."),
        (
            id_column(_("The mineral's id.")),
            Column("slug", "string", _("The mineral's name in addresses."), required=True),
            Column("name_en", "string", _("Name in English."), required=True),
            Column("name_fr", "string", _("Name in French; empty if not translated.")),
        ),
        mineral_rows,
        primary_key=("id",),
    ),
    Table(
        "site_minerals",
        _("Site minerals"),
        _("The minerals mined at each site."),
        (
            reference("site_id", _("The site's id (sites.csv).")),
            reference("mineral_id", _("The mineral's id (minerals.csv).")),
        ),
        site_mineral_rows,
        primary_key=("site_id", "mineral_id"),
        references=(("site_id", "sites", "id"), ("mineral_id", "minerals", "id")),
    ),
    Table(
        "site_studies",
        _("Site studies"),
        _("The studies about each site."),
        (reference("site_id", _("The site's id (sites.csv).")), reference("study_id", STUDY_ID)),
        site_study_rows,
        primary_key=("site_id", "study_id"),
        references=(("site_id", "sites", "id"), ("study_id", "studies", "id")),
    ),
    Table(
        "forums",
        _("Forums"),
        _("The dialogue's forums that anyone may read."),
        (
            id_column(_("The forum's id.")),
            Column("slug", "string", _("The forum's name in its address."), required=True),
            Column("name_en", "string", _("Name in English."), required=True),
            Column("name_fr", "string", _("Name in French; empty if not translated.")),
            Column("description_en", "string", _("Description in English.")),
            Column("description_fr", "string", _("Description in French.")),
            Column(
                "site_id",
                "integer",
                _("The site of a site's forum (sites.csv); empty for a thematic one."),
            ),
            Column(
                "pre_moderated", "boolean", _("Whether every post waits for a moderator."), True
            ),
            url_column(_("The forum's page on the portal, in English (/fr/ for French).")),
        ),
        forum_rows,
        primary_key=("id",),
        references=(("site_id", "sites", "id"),),
    ),
    Table(
        "threads",
        _("Threads"),
        _("The visible threads of those forums: discussions and consultations."),
        (
            id_column(_("The thread's id.")),
            reference("forum_id", _("The thread's forum (forums.csv).")),
            Column("title", "string", _("Title."), required=True),
            Column(
                "kind", "string", _("discussion or consultation."), True, tuple(ThreadKind.values)
            ),
            *person_columns(
                "author",
                {
                    "name": _("The public name of who started the thread."),
                    "group": AUTHOR["group"],
                    "verified": AUTHOR["verified"],
                },
            ),
            Column("created_at", "datetime", _("When the thread was started (UTC)."), True),
            Column("closed_at", "datetime", _("When a consultation was closed (UTC).")),
            Column("locked", "boolean", _("Whether the thread takes no new replies."), True),
            Column(
                "example",
                "boolean",
                _("Whether it is an example written to show how the dialogue works."),
                True,
            ),
            Column(
                "context", "string", _("For a consultation: what is asked, and why (Markdown).")
            ),
            url_column(_("The thread's page on the portal, in English (/fr/ for French).")),
        ),
        thread_rows,
        primary_key=("id",),
        references=(("forum_id", "forums", "id"),),
    ),
    Table(
        "posts",
        _("Posts"),
        _("The approved posts of those threads, as plain text."),
        (
            id_column(_("The post's id; the portal shows it at /en/forums/posts/<id>/.")),
            reference("thread_id", _("The post's thread (threads.csv).")),
            Column("reply_to_id", "integer", _("The post it answers, if that one is public.")),
            *person_columns("author", AUTHOR),
            Column(
                "language",
                "string",
                _("Language: en, fr, or other."),
                True,
                tuple(PostLanguage.values),
            ),
            Column(
                "text", "string", _("What readers see, as plain text: no Markdown nor HTML."), True
            ),
            Column("created_at", "datetime", _("When it was written (UTC)."), True),
            Column("edited_at", "datetime", _("When its author last edited it (UTC).")),
        ),
        post_rows,
        primary_key=("id",),
        references=(("thread_id", "threads", "id"), ("reply_to_id", "posts", "id")),
    ),
    Table(
        "consultation_outcomes",
        _("Consultation outcomes"),
        _("What each closed consultation concluded."),
        (
            reference("thread_id", _("The consultation's thread (threads.csv).")),
            Column("closed_at", "datetime", _("When it was closed (UTC)."), True),
            Column(
                "closed_by_name",
                "string",
                _("The public name of who closed the consultation."),
                True,
            ),
            Column("outcome", "string", _("The outcome, as written (Markdown)."), True),
        ),
        outcome_rows,
        primary_key=("thread_id",),
        references=(("thread_id", "threads", "id"),),
    ),
    Table(
        "participation",
        _("Participation"),
        _(
            "Who takes part in the public dialogue: people and approved posts per stakeholder "
            "group and country."
        ),
        (
            Column(
                "stakeholder_group",
                "string",
                _("The stakeholder group; empty if not given."),
                enum=tuple(StakeholderGroup.values),
            ),
            Column(
                "country",
                "string",
                _("ISO 3166-1 alpha-2 code of the people's country; empty if not given."),
            ),
            Column("people", "integer", _("People who wrote at least one of these posts."), True),
            Column("posts", "integer", _("Approved posts in public forums."), True),
        ),
        participation_rows,
    ),
    Table(
        "downloads",
        _("Downloads"),
        _("Downloads of each study's PDF per month. Who downloaded is never recorded."),
        (
            reference("study_id", STUDY_ID),
            Column("month", "yearmonth", _("The month, YYYY-MM."), required=True),
            Column("downloads", "integer", _("Downloads counted that month."), required=True),
        ),
        download_rows,
        primary_key=("study_id", "month"),
        references=(("study_id", "studies", "id"),),
    ),
)
