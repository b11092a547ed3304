"""What the home page shows of the portal's life: the latest dialogue, the latest studies, the
case-study sites and who takes part. Each part is one or two queries, however much there is.

The home is one page for every reader (core.pagecache, core.memberpages): it shows only what
everyone may read (public forums' visible threads, published studies and sites) and figures
that name nobody. Its tags say what makes it change: "content" (studies, sites, forums, a
person's group), "dialogue" (threads and posts) and PEOPLE (accounts opened, confirmed or closed,
which bump only their owner's tag otherwise: portal.signals).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils.translation import get_language

from accounts.models import StakeholderGroup, User
from forums.models import Post, Thread, Visibility
from publications.models import Publication
from sites.models import SiteText

PEOPLE = "people"
LATEST_THREADS = 5
LATEST_STUDIES = 4
SITES = 8


@dataclass(frozen=True)
class GroupCount:
    group: str
    label: str
    people: int


def latest_threads(limit=LATEST_THREADS):
    """The threads and consultations of public forums with the newest approved posts, each with
    `heard`: the stakeholder groups (value, label) of the people whose posts are shown, in the
    groups' order. Two queries."""
    shown = Thread.objects.filter(is_visible=True, forum__visibility=Visibility.PUBLIC).order_by(
        "-last_post_at", "-pk"
    )
    threads = list(
        shown.select_related("forum").only(
            "title",
            "kind",
            "closed_at",
            "last_post_at",
            "created_at",
            "forum__slug",
            "forum__name",
            "forum__name_fr",
        )[:limit]
    )
    groups = {}
    rows = (
        Post.objects.public()
        # The same threads, read again by the database: one query even when there are none.
        .filter(thread__in=shown.values("pk")[:limit])
        .values_list("thread_id", "author__stakeholder_group")
        .distinct()
        .order_by()
    )
    for thread_id, group in rows:
        groups.setdefault(thread_id, set()).add(group or StakeholderGroup.OTHER)
    for thread in threads:
        heard = groups.get(thread.pk, set())
        thread.heard = [
            (value, label) for value, label in StakeholderGroup.choices if value in heard
        ]
    return threads


def latest_studies(limit=LATEST_STUDIES):
    """The newest published studies, by their date of publication. One query."""
    return list(
        Publication.objects.published()
        .only("title", "slug", "kind", "language", "year", "month")
        .order_by("-year", "-month", "title")[:limit]
    )


def published_sites(limit=SITES):
    """The published case-study sites in their order, each with `text`: its name in the reader's
    language, else in English. One query, read from their texts."""
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    texts = (
        SiteText.objects.filter(
            site__is_published=True, language__in={language, settings.LANGUAGE_CODE}
        )
        .select_related("site")
        .only("name", "language", "site__slug", "site__country", "site__order")
        .order_by("site__order", "site__slug")
    )
    sites = {}
    for text in texts:
        site = sites.setdefault(text.site_id, text.site)
        if not hasattr(site, "home_text") or text.language == language:
            site.home_text = text
    return list(sites.values())[:limit]


def people_by_group():
    """How many people take part, by stakeholder group: active accounts with a confirmed
    address (as profiles are shown: User.objects.public()), every group listed, zero included,
    people without a group counted as "other". One query."""
    rows = (
        User.objects.public()
        .values_list("stakeholder_group")
        .annotate(people=Count("pk"))
        .order_by()
    )
    counts = {}
    for group, people in rows:
        group = group or StakeholderGroup.OTHER
        counts[group] = counts.get(group, 0) + people
    return [
        GroupCount(group=value, label=label, people=counts.get(value, 0))
        for value, label in StakeholderGroup.choices
    ]
