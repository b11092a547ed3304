from accounts.permissions import is_confirmed_stakeholder


def can_subscribe_member(user) -> bool:
    """Subscribes with one click, without confirming by email: their address is confirmed."""
    return is_confirmed_stakeholder(user)


def can_edit_issues(user) -> bool:
    """Writes, previews, tests and sends issues: the Editors group (and superusers)."""
    return user.is_active and user.has_perm("newsletter.change_issue")


def can_read_subscribers(user) -> bool:
    """Readers' addresses are personal data: superusers alone see them, whatever the groups."""
    return user.is_active and user.is_superuser
