"""The tables of the open-data dump, in the order of the ZIP: each one's name, title, meaning,
columns (the data dictionary, in datapackage.json) and rows (rows.py). What a table is:
columns.py."""

from django.utils.translation import gettext_lazy as _

from accounts.models import StakeholderGroup
from forums.models import PostLanguage, ThreadKind
from publications.models import Kind

from . import rows
from .columns import LANGUAGES, Column, Table, id_column, person_columns, reference, url_column

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
        rows.study_rows,
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
        rows.author_rows,
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
        rows.study_author_rows,
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
        rows.topic_rows,
        primary_key=("id",),
    ),
    Table(
        "study_topics",
        _("Study topics"),
        _("The topics of each study."),
        (reference("study_id", STUDY_ID), reference("topic_id", _("The topic's id (topics.csv)."))),
        rows.study_topic_rows,
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
        rows.study_country_rows,
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
        rows.site_rows,
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
        rows.site_text_rows,
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
        rows.mineral_rows,
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
        rows.site_mineral_rows,
        primary_key=("site_id", "mineral_id"),
        references=(("site_id", "sites", "id"), ("mineral_id", "minerals", "id")),
    ),
    Table(
        "site_studies",
        _("Site studies"),
        _("The studies about each site."),
        (reference("site_id", _("The site's id (sites.csv).")), reference("study_id", STUDY_ID)),
        rows.site_study_rows,
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
        rows.forum_rows,
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
        rows.thread_rows,
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
        rows.post_rows,
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
        rows.outcome_rows,
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
        rows.participation_rows,
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
        rows.download_rows,
        primary_key=("study_id", "month"),
        references=(("study_id", "studies", "id"),),
    ),
)
