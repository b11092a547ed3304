"""The dialogue balance: who is being heard in a thread, by stakeholder group."""

from dataclasses import dataclass

from django.db.models import Count

from accounts.models import StakeholderGroup


@dataclass(frozen=True)
class GroupShare:
    group: str
    label: str
    people: int
    posts: int
    percent: int


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
    return Balance(
        [
            GroupShare(
                group=group,
                label=label,
                people=counts.get(group, (0, 0))[0],
                posts=counts.get(group, (0, 0))[1],
                percent=round(100 * counts.get(group, (0, 0))[1] / total),
            )
            for group, label in StakeholderGroup.choices
        ]
    )
