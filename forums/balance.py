"""The dialogue balance: who is being heard in a thread, by stakeholder group."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.models import StakeholderGroup


@dataclass(frozen=True)
class GroupShare:
    group: str
    label: str
    people: int
    posts: int
    percent: int
    offset: int = 0  # where its segment starts in the strip, and how wide it is, in percent
    width: int = 0
    short_label: str = ""


# The groups' names in the strip's legend, short enough for a phone.
SHORT_LABELS = {
    StakeholderGroup.MINER: _("Miners"),
    StakeholderGroup.COMMUNITY: _("Communities"),
    StakeholderGroup.GOVERNMENT: _("Government"),
    StakeholderGroup.NGO: _("NGOs"),
    StakeholderGroup.COMPANY: _("Companies"),
    StakeholderGroup.DONOR: _("Donors"),
    StakeholderGroup.RESEARCH: _("Research"),
    StakeholderGroup.OTHER: _("Other"),
}


@dataclass(frozen=True)
class Balance:
    shares: list[GroupShare]

    def __iter__(self):
        return iter(self.shares)

    @property
    def heard(self):
        return [share for share in self.shares if share.posts]

    @property
    def missing(self):
        return [share for share in self.shares if not share.posts]


def dialogue_balance(thread) -> Balance:
    """Every stakeholder group, with its participants and approved posts (zero included, so an
    absent voice shows). People without a group count as "other". One query."""
    rows = (
        thread.posts.public()
        .values("author__stakeholder_group")
        .annotate(posts=Count("pk"), people=Count("author", distinct=True))
        .order_by()
    )
    counts = {}
    for row in rows:
        group = row["author__stakeholder_group"] or StakeholderGroup.OTHER
        people, posts = counts.get(group, (0, 0))
        counts[group] = (people + row["people"], posts + row["posts"])
    total = sum(posts for _people, posts in counts.values()) or 1
    shares, before = [], 0
    for group, label in StakeholderGroup.choices:
        people, posts = counts.get(group, (0, 0))
        # Offsets from the running total, so that the strip's segments meet and end at 100.
        offset, before = round(100 * before / total), before + posts
        width = round(100 * before / total) - offset
        shares.append(
            GroupShare(
                group=group,
                label=label,
                people=people,
                posts=posts,
                percent=round(100 * posts / total),
                offset=offset,
                width=width,
                short_label=SHORT_LABELS.get(group, label),
            )
        )
    return Balance(shares)
