"""Who may do what in the library."""

from accounts.permissions import is_confirmed_stakeholder


def sees_unpublished(user) -> bool:
    """Editors prepare studies before they are published: they see them, nobody else does."""
    return user.has_perm("publications.change_publication")


def can_follow_topics(user) -> bool:
    """Be told of new studies in a topic: anyone who takes part (a confirmed address)."""
    return is_confirmed_stakeholder(user)
