"""How a notice is shown, asked of the app that owns its target when it is shown: that app says
whether the reader may still see it (a forum they have left, a post since hidden) and where it
links. A notice nobody answers for is not shown."""

from collections import defaultdict
from collections.abc import Callable

_presenters: dict[str, Callable] = {}


def presents(target_type: str):
    """Register present(user, notices): for each notice, set `notice.url` and `notice.subject`
    (what it is about: a thread's title...), or `notice.url = None` if the reader may not see
    it. Called once per page for all its notices of that type."""

    def register(function: Callable) -> Callable:
        _presenters[target_type] = function
        return function

    return register


def present(user, notices) -> list:
    """The notices this reader may still see, ready to show, in the order given."""
    by_type = defaultdict(list)
    for notice in notices:
        notice.url = None
        notice.subject = ""
        by_type[notice.target_type].append(notice)
    for target_type, group in by_type.items():
        presenter = _presenters.get(target_type)
        if presenter is not None:
            presenter(user, group)
    return [notice for notice in notices if notice.url]


# Several of these about one topic are one line: "3 new posts in …".
GROUPED_KINDS = {"followed", "reply"}


class Group:
    """Notices of one kind and topic, read or not alike, shown as one line: it links to the
    oldest (where reading goes on) and tells the newest's time."""

    def __init__(self, notice):
        self.notices = [notice]

    @property
    def newest(self):
        return self.notices[0]

    @property
    def oldest(self):
        return self.notices[-1]

    @property
    def count(self):
        return len(self.notices)

    @property
    def unread(self):
        return self.newest.read_at is None


def grouped(notices) -> list[Group]:
    """The notices (newest first) as groups, in the order of each group's newest."""
    groups, by_key = [], {}
    for notice in notices:
        key = (notice.kind, notice.topic, notice.read_at is None)
        if notice.kind in GROUPED_KINDS and notice.topic and key in by_key:
            by_key[key].notices.append(notice)
            continue
        group = by_key[key] = Group(notice)
        groups.append(group)
    return groups
