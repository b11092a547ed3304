"""What the library shows harvesters: its studies as records, their identifiers, datestamps and
sets.

A record is a study that is published, or that was once (published_at is set the first time a
study is published and never cleared): a study withdrawn since is reported with a deleted
header, so that harvesters drop their copy. A draft that was never published is no record at
all. A study deleted after it was published leaves a DeletedStudy (oai.signals), reported as
deleted too: no deletion is ever forgotten ("persistent", in the protocol's words).

A record's datestamp is the study's updated_at, which every change of the study moves on
(publishing and withdrawing too), or the time it was deleted."""

import re

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import translation

from publications.models import Authorship, Kind, Publication, Topic

from .models import DeletedStudy
from .protocol import OAIError, Range

# Sets: by kind, topic and language. A parent set ("kind") holds every record of its children.
SET_KINDS = ("kind", "topic", "language")
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


def namespace() -> str:
    """The repository's part of each identifier: the portal's host name."""
    return settings.SITE_DOMAIN.split(":")[0]


def identifier(publication) -> str:
    # The id, not the slug: an editor may change a slug, an identifier never changes.
    return f"oai:{namespace()}:{publication.pk}"


def publication_id(value: str) -> int | None:
    prefix = f"oai:{namespace()}:"
    local = value[len(prefix) :] if value.startswith(prefix) else ""
    return int(local) if local.isascii() and local.isdigit() and len(local) < 12 else None


def is_deleted(publication) -> bool:
    return not publication.is_published


def kind_spec(kind: str) -> str:
    return f"kind:{kind.replace('_', '-')}"


def set_specs(publication) -> list[str]:
    """The sets a record belongs to (its topics prefetched)."""
    if isinstance(publication, DeletedStudy):
        return publication.set_list
    specs = [kind_spec(publication.kind), f"language:{publication.language}"]
    specs += [f"topic:{topic.slug}" for topic in publication.topic_list]
    return specs


def all_sets() -> list[tuple[str, str]]:
    """(setSpec, setName) of every set, names in English as the protocol has no language."""
    with translation.override("en"):
        sets = [
            ("kind", "Studies by kind"),
            ("topic", "Studies by topic"),
            ("language", "Studies by language"),
        ]
        sets += [(kind_spec(kind.value), f"Kind: {kind.label}") for kind in Kind]
        sets += [(f"topic:{topic.slug}", f"Topic: {topic.name}") for topic in Topic.objects.all()]
        sets += [(f"language:{code}", f"Language: {name}") for code, name in settings.LANGUAGES]
    return sets


def records():
    """Every study harvesters are told about: published ones, and withdrawn ones as deleted."""
    return Publication.objects.filter(Q(is_published=True) | Q(published_at__isnull=False))


def in_set(queryset, spec: str):
    kind, _, value = spec.partition(":")
    if kind not in SET_KINDS or not SET_SPEC.fullmatch(spec):
        raise OAIError("badArgument", f"There is no set '{spec[:60]}'.")
    if not value:
        if kind == "topic":
            return queryset.filter(pk__in=Publication.topics.through.objects.values("publication"))
        return queryset  # every study has a kind and a language
    if kind == "kind":
        kinds = {kind_spec(k): k for k in Kind.values}
        return queryset.filter(kind=kinds.get(spec, "-"))
    if kind == "language":
        return queryset.filter(language=value)
    return queryset.filter(topics__slug=value)


def selected(arguments, dates: Range):
    """The records a list asks for (set, from, until), in the lists' stable order: the studies,
    and those deleted."""
    studies, deleted = records(), DeletedStudy.objects.all()
    if "set" in arguments:
        studies = in_set(studies, arguments["set"])
        deleted = deleted.in_set(arguments["set"])
    return [between(studies, dates), between(deleted, dates)]


def between(queryset, dates: Range):
    if dates.start is not None:
        queryset = queryset.filter(updated_at__gte=dates.start)
    if dates.end is not None:
        queryset = queryset.filter(updated_at__lt=dates.end)
    return queryset.order_by("updated_at", "id")


def after(queryset, position):
    """The records after (datestamp, id) in the lists' order."""
    moment, pk = position
    return queryset.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, id__gt=pk))


# Prefetched into plain lists (to_attr): a related manager, made anew at each `.topics`, cost
# a millisecond a study, half the time of a page of 100 records.


def for_headers(queryset):
    """What a header shows: identifier, datestamp, status and sets; in a constant number of
    queries whatever the page's size."""
    return queryset.only("id", "kind", "language", "is_published", "updated_at").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.only("id", "slug"), to_attr="topic_list")
    )


def for_records(queryset):
    """What the metadata formats show too: people, countries, other-language versions."""
    authorships = Authorship.objects.order_by("order", "pk")
    translations = Publication.objects.published().only("id", "slug", "language")
    return queryset.defer("text").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.all(), to_attr="topic_list"),
        Prefetch("authorships", queryset=authorships, to_attr="authorship_list"),
        Prefetch("coverage", to_attr="coverage_list"),
        Prefetch("translations", queryset=translations, to_attr="translation_list"),
    )
