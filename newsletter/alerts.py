"""The weekly alerts: what became public in the issue's period [period_start, period_end) —
studies and case-study sites first published, consultations opened, consultations closed with
an outcome — each reader getting what matches their interests, in their language.

Only what a visitor sees is ever told: published studies and sites, visible consultations in
the forums anyone may read (forums.permissions decides, for an anonymous visitor).

A batch loads the period's items once, with what matching needs (topics, sites, kind), and its
readers' interests in three queries; each reader's share is then picked in Python. A batch of
200 readers costs the queries of a batch of 5, and readers who get the same items share one
rendering.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation

from core.emails import absolute_url
from forums.models import Thread, ThreadKind
from forums.permissions import visible_forum_ids
from publications.models import Publication
from sites.models import Site, SiteText

from .letters import Letter
from .models import FRENCH, Issue, IssueKind, KindInterest, Subscriber
from .sending import issue_start

WEEK = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Interests:
    """What a reader chose: ids of sites and topics, kinds of study. Nothing chosen: all."""

    sites: frozenset = frozenset()
    topics: frozenset = frozenset()
    kinds: frozenset = frozenset()

    @property
    def everything(self) -> bool:
        return not (self.sites or self.topics or self.kinds)

    def wants_study(self, study) -> bool:
        return (
            self.everything
            or bool(self.sites & study.site_ids)
            or bool(self.topics & study.topic_ids)
            or study.kind in self.kinds
        )

    def wants_place(self, site_id: int | None) -> bool:
        """A site, or a consultation in a forum (of a site, or thematic): for the readers of
        that site, and for those who chose no site."""
        return not self.sites or site_id in self.sites


@dataclass
class Alerts:
    studies: list = field(default_factory=list)
    sites: list = field(default_factory=list)
    consultations: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.studies or self.sites or self.consultations or self.outcomes)

    @property
    def key(self) -> tuple:
        """What the rendering depends on besides the language."""
        return tuple(
            tuple(item.pk for item in items)
            for items in (self.studies, self.sites, self.consultations, self.outcomes)
        )

    def matching(self, interests: Interests) -> "Alerts":
        return Alerts(
            studies=[study for study in self.studies if interests.wants_study(study)],
            sites=[site for site in self.sites if interests.wants_place(site.pk)],
            consultations=[
                thread for thread in self.consultations if interests.wants_place(thread.site_id)
            ],
            outcomes=[thread for thread in self.outcomes if interests.wants_place(thread.site_id)],
        )


def happened(start: datetime.datetime, end: datetime.datetime) -> Alerts:
    """Everything public that is new in [start, end), in seven queries whatever its size."""
    studies = list(
        Publication.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .only("title", "slug", "kind", "language", "published_at")
        .prefetch_related(
            "topics",
            Prefetch("sites", queryset=Site.objects.published().only("pk"), to_attr="shown_sites"),
        )
        .order_by("published_at", "pk")
    )
    for study in studies:
        study.topic_ids = frozenset(topic.pk for topic in study.topics.all())
        study.site_ids = frozenset(site.pk for site in study.shown_sites)
    texts = SiteText.objects.only("site_id", "language", "name", "designation")
    sites = list(
        Site.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .prefetch_related(Prefetch("texts", queryset=texts, to_attr="prefetched_texts"))
    )
    in_period = Q(created_at__gte=start, created_at__lt=end)
    closed_in_period = Q(closed_at__gte=start, closed_at__lt=end) & ~Q(outcome="")
    threads = list(
        Thread.objects.filter(
            in_period | closed_in_period,
            kind=ThreadKind.CONSULTATION,
            is_visible=True,
            forum_id__in=visible_forum_ids(AnonymousUser()),
            # Loaded to show a new portal alive, not news.
            is_example=False,
        )
        .select_related("forum")
        .only(
            "title",
            "created_at",
            "closed_at",
            "forum__slug",
            "forum__name",
            "forum__name_fr",
            "forum__site",
        )
        .order_by("created_at", "pk")
    )
    for thread in threads:
        thread.site_id = thread.forum.site_id
    return Alerts(
        studies=studies,
        sites=sites,
        consultations=[thread for thread in threads if start <= thread.created_at < end],
        outcomes=[
            thread
            for thread in threads
            if thread.closed_at is not None and start <= thread.closed_at < end
        ],
    )


def interests_of(readers) -> dict[int, Interests]:
    """The readers' interests, in three queries however many they are."""
    ids = [reader.pk for reader in readers]
    chosen = {name: defaultdict(set) for name in ("sites", "topics", "kinds")}
    rows = {
        "sites": Subscriber.sites.through.objects.filter(subscriber_id__in=ids).values_list(
            "subscriber_id", "site_id"
        ),
        "topics": Subscriber.topics.through.objects.filter(subscriber_id__in=ids).values_list(
            "subscriber_id", "topic_id"
        ),
        "kinds": KindInterest.objects.filter(subscriber_id__in=ids).values_list(
            "subscriber_id", "kind"
        ),
    }
    for name, pairs in rows.items():
        for reader_id, value in pairs:
            chosen[name][reader_id].add(value)
    return {
        reader_id: Interests(
            sites=frozenset(chosen["sites"][reader_id]),
            topics=frozenset(chosen["topics"][reader_id]),
            kinds=frozenset(chosen["kinds"][reader_id]),
        )
        for reader_id in ids
    }


class AlertsLetter(Letter):
    """The alerts issue for a batch of readers: each gets the items that match their
    interests, or nothing (message() is None) when none does."""

    def __init__(self, issue: Issue, readers: list[Subscriber]):
        super().__init__(issue)
        self.happened = happened(issue.period_start, issue.period_end)
        self.interests = interests_of(readers)

    def message(self, subscriber: Subscriber):
        if not subscriber.alerts:  # turned off since the issue started
            return None
        interests = self.interests.get(subscriber.pk) or interests_of([subscriber])[subscriber.pk]
        alerts = self.happened.matching(interests)
        if not alerts:
            return None
        rendered = self.rendered(subscriber.language, key=alerts.key, alerts=alerts)
        return self.compose(subscriber, rendered)

    def context(self, language: str, *, alerts: Alerts | None = None, **extra) -> dict:
        context = super().context(language, **extra)
        if alerts is not None:
            context["alerts"] = shown(alerts)
            context["period_start"] = self.issue.period_start
            # The last instant the period holds: [start, end) ends just before its end.
            context["period_last"] = self.issue.period_end - datetime.timedelta(microseconds=1)
        return context


def shown(alerts: Alerts) -> dict:
    """What the templates write of each item, in the active language."""
    return {
        "studies": [
            {
                "title": study.title,
                "url": absolute_url(study.get_absolute_url()),
                "kind": study.kind_label,
                "language": study.language_label,
                "topics": ", ".join(sorted(topic.label for topic in study.topics.all())),
            }
            for study in alerts.studies
        ],
        "sites": [
            {
                "name": site.text.name,
                "designation": site.text.designation,
                "country": site.country.name,
                "url": absolute_url(site.get_absolute_url()),
            }
            for site in alerts.sites
        ],
        "consultations": [thread_shown(thread) for thread in alerts.consultations],
        "outcomes": [thread_shown(thread) for thread in alerts.outcomes],
    }


def thread_shown(thread: Thread) -> dict:
    return {
        "title": thread.title,
        "forum": thread.forum.label,
        "url": absolute_url(thread.get_absolute_url()),
    }


def alerts_start(*, now: datetime.datetime | None = None) -> Issue | None:
    """Make and start the alerts of the week up to `now` (to the hour): from where the last
    alerts ended, or a week back for the first. Idempotent for a period: the same hour twice,
    from one beat or two at once, makes one issue. None when a later period was done already."""
    end = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    last = last_alerts()
    if last is not None and last.period_end >= end:
        if last.period_end > end:
            return None
        issue_start(issue=last)  # made, then its start interrupted: starting is idempotent
        return last
    with translation.override(FRENCH):
        subject_fr = str(IssueKind.ALERTS.label)
    with translation.override("en"):
        subject = str(IssueKind.ALERTS.label)
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                kind=IssueKind.ALERTS,
                subject=subject,
                subject_fr=subject_fr,
                period_start=last.period_end if last is not None else end - WEEK,
                period_end=end,
            )
            issue_start(issue=issue)
    except IntegrityError:  # another beat made it meanwhile, and started it
        return Issue.objects.get(kind=IssueKind.ALERTS, period_end=end)
    return issue


def last_alerts() -> Issue | None:
    return Issue.objects.filter(kind=IssueKind.ALERTS).order_by("-period_end").first()
