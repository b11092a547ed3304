"""Who may hold API tokens, and who a token speaks for."""

from accounts.permissions import is_confirmed_stakeholder


def can_hold_tokens(user) -> bool:
    """Read through the API what one reads on the site: anyone who takes part."""
    return is_confirmed_stakeholder(user)


def may_read_with(token) -> bool:
    """A token reads while it is not revoked and its holder still takes part (an account
    deleted, deactivated or never confirmed reads nothing more than a visitor: it is refused)."""
    return not token.is_revoked and can_hold_tokens(token.user)
